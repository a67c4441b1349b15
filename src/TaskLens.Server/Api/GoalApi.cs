using TaskLens.Core;
using System.Globalization;
using TaskLens.Core.Goals;
using TaskLens.Detection.Runs;
using TaskLens.Core.Traces;

namespace TaskLens.Server.Api;

/// <summary>
/// The goal API on the API port: goals with their figures, a goal's series, its runs, and one run with its
/// sub-tasks collapsed by operation. Times are RFC 3339 or unix milliseconds; the window defaults to the last hour.
/// </summary>
internal static class GoalApi
{
    public static RouteGroupBuilder MapGoalApi(this RouteGroupBuilder api)
    {
        api.MapGet("/goals", ListGoalsAsync);
        api.MapGet("/goals/{name}/series", GetSeriesAsync);
        api.MapGet("/goals/{name}/runs", GetRunsAsync);
        api.MapGet("/runs/{runId}", GetRunAsync);
        return api;
    }

    /// <summary><c>GET /api/goals?from&amp;to</c>: every goal with a run that ended in the window.</summary>
    private static async Task<IResult> ListGoalsAsync(HttpContext context, IGoalReader reader, CancellationToken cancellationToken)
    {
        if (!ApiQuery.TryWindow(context, out var from, out var to, out var problem))
        {
            return problem!;
        }

        var goals = await reader.ListGoalsAsync(context.User.Tenant(), from, to, cancellationToken);
        return Results.Json(new { from, to, goals = goals.Select(GoalJson.Figures) });
    }

    /// <summary><c>GET /api/goals/{name}/series?metric&amp;from&amp;to&amp;step</c>; step is whole minutes (60s, 5m, 1h or seconds).</summary>
    private static async Task<IResult> GetSeriesAsync(string name, HttpContext context, IGoalReader reader, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var metric = query["metric"].ToString();
        if (!GoalJson.Metrics.TryGetValue(metric, out var read))
        {
            return ApiQuery.BadRequest("Invalid metric", "metric is one of " + string.Join(", ", GoalJson.Metrics.Keys) + ".");
        }

        if (!ApiQuery.TryWindow(context, out var from, out var to, out var problem))
        {
            return problem!;
        }

        if (!ApiQuery.TryStep(query["step"], from, to, out var step, out problem))
        {
            return problem!;
        }

        var series = await reader.SeriesAsync(context.User.Tenant(), name, from, to, step, cancellationToken);
        return Results.Json(new
        {
            goal = name,
            metric,
            stepSeconds = (long)step.TotalSeconds,
            points = series.Select(f => new { time = f.Time, value = read(f) }),
        });
    }

    /// <summary><c>GET /api/goals/{name}/runs?outcome&amp;from&amp;to&amp;offset&amp;limit</c>, newest first.</summary>
    private static async Task<IResult> GetRunsAsync(string name, HttpContext context, IGoalReader reader, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        if (!ApiQuery.TryWindow(context, out var from, out var to, out var problem)
            || !ApiQuery.TryLimit(query["limit"], 50, 1_000, out var limit, ref problem)
            || !ApiQuery.TryOffset(query["offset"], out var offset, ref problem)
            || !ApiQuery.TryEnum<GoalRunOutcome>(query["outcome"], "outcome", "outcome is completed, failed or abandoned.", out var outcome, ref problem))
        {
            return problem!;
        }

        var runs = await reader.RunsAsync(new GoalRunQuery(context.User.Tenant(), name, from, to, outcome, offset, limit), cancellationToken);
        return Results.Json(new { goal = name, offset, limit, runs = runs.Select(GoalJson.Run) });
    }

    /// <summary>
    /// <c>GET /api/runs/{runId}</c>: the run and its sub-tasks collapsed by operation;
    /// <c>?group=N&amp;offset&amp;limit</c> pages through the spans of one group instead.
    /// </summary>
    private static async Task<IResult> GetRunAsync(
        string runId, HttpContext context, IGoalReader goals, ITraceReader traces, RunOutliers outliers, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        IResult? problem = null;
        if (!TraceId.TryParse(runId, out var traceId) || traceId == default)
        {
            return ApiQuery.BadRequest("Invalid run id", "A run id is its trace id: 32 hexadecimal digits, not all zero.");
        }

        int? group = null;
        if (query["group"].ToString() is { Length: > 0 } groupText)
        {
            if (!int.TryParse(groupText, NumberStyles.None, CultureInfo.InvariantCulture, out var g))
            {
                return ApiQuery.BadRequest("Invalid group", "group is the id of a sub-task group from this run.");
            }

            group = g;
        }

        if (!ApiQuery.TryLimit(query["limit"], 100, 1_000, out var limit, ref problem) || !ApiQuery.TryOffset(query["offset"], out var offset, ref problem))
        {
            return problem!;
        }

        var run = await goals.RunAsync(context.User.Tenant(), traceId.ToString(), cancellationToken);
        if (run is null)
        {
            return Results.Problem(title: "Unknown run", detail: $"No finalized goal run {traceId}.", statusCode: StatusCodes.Status404NotFound);
        }

        // The sub-task tree is built from at most MaxSpans spans; "truncated" says the run has more.
        var read = await traces.GetTraceAsync(context.User.Tenant(), traceId, 0, TraceApi.MaxSpans + 1, cancellationToken);
        var truncated = read.Count > TraceApi.MaxSpans;
        var spans = truncated ? read.Take(TraceApi.MaxSpans).ToList() : read;
        var tree = new SubTaskTree(spans, run.GoalSpanId == 0 ? "" : run.GoalSpanId.ToString("x16", CultureInfo.InvariantCulture));
        if (group is { } id)
        {
            if (id >= tree.Groups.Count)
            {
                return Results.Problem(title: "Unknown group", detail: $"Run {traceId} has groups 0 to {tree.Groups.Count - 1}.", statusCode: StatusCodes.Status404NotFound);
            }

            return Results.Json(new { group = GoalJson.Group(tree.Groups[id]), offset, limit, truncated, spans = tree.SpansOf(id, offset, limit).Select(GoalJson.Span) });
        }

        var (outlier, trainedOn) = await outliers.JudgeAsync(run, cancellationToken);
        return Results.Json(new
        {
            run = GoalJson.Run(run),
            outlier = outlier is null ? null : new { outlier.Reason, outlier.Feature, outlier.Ratio, outlier.Score, outlier.Threshold },
            outlierModel = new { runs = trainedOn, trainer = "ML.NET randomized PCA" },
            truncated,
            spansRead = spans.Count,
            groups = tree.Groups.Select(GoalJson.Group),
        });
    }
}
