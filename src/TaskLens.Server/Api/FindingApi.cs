using TaskLens.Core;
using System.Globalization;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;

namespace TaskLens.Server.Api;

/// <summary>
/// <c>GET /api/findings?status&amp;severity&amp;goal&amp;service&amp;from&amp;to&amp;limit</c>: findings of continuous
/// detection, newest first, each with links to the series, the goal's failed runs and sample runs and traces.
/// <c>GET /api/alerts</c> is its alias from before the rename (the same list, under <c>alerts</c>).
/// </summary>
internal static class FindingApi
{
    public static RouteGroupBuilder MapFindingApi(this RouteGroupBuilder api)
    {
        api.MapGet("/findings", (HttpContext context, IFindingReader reader, CancellationToken cancellationToken) =>
            ListAsync(context, reader, "findings", cancellationToken));
        api.MapGet("/alerts", (HttpContext context, IFindingReader reader, CancellationToken cancellationToken) =>
            ListAsync(context, reader, "alerts", cancellationToken));
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, IFindingReader reader, string listName, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        if (!ApiQuery.TryWindow(context, out var from, out var to, out var problem)
            || !ApiQuery.TryLimit(query["limit"], 100, 1_000, out var limit, ref problem))
        {
            return problem!;
        }

        if (!ApiQuery.TryEnum<FindingStatus>(query["status"], "status", "status is raised, context or resolved.", out var status, ref problem)
            || !ApiQuery.TryEnum<AlertSeverity>(query["severity"], "severity", "severity is info, warning or critical.", out var severity, ref problem))
        {
            return problem!;
        }

        var findings = await reader.ListAsync(
            new FindingQuery(context.User.Tenant(), from, to, status, severity, ApiQuery.NullIfEmpty(query["goal"]), ApiQuery.NullIfEmpty(query["service"]), limit),
            cancellationToken);
        return Results.Json(new Dictionary<string, object> { ["from"] = from, ["to"] = to, [listName] = findings.Select(Json) });
    }

    internal static object Json(Finding a) => new
    {
        id = a.Id,
        source = a.Source,
        fingerprint = a.Fingerprint,
        severity = a.Severity.ToString().ToLowerInvariant(),
        status = a.Status.ToString().ToLowerInvariant(),
        scope = a.Scope,
        subject = a.Subject,
        metric = a.Metric,
        observed = a.Observed,
        expected = a.Expected,
        lower = a.Lower,
        upper = a.Upper,
        score = a.Score,
        detector = a.Detector,
        windowStart = a.WindowStart,
        windowEnd = a.WindowEnd,
        raisedAt = a.RaisedAt,
        summary = a.Summary,
        reason = a.Reason,
        links = Links(a),
    };

    private static object Links(Finding a)
    {
        var window = string.Create(CultureInfo.InvariantCulture, $"from={a.WindowStart.ToUnixTimeMilliseconds()}&to={a.WindowEnd.ToUnixTimeMilliseconds()}");
        var around = string.Create(CultureInfo.InvariantCulture,
            $"from={(a.WindowStart - TimeSpan.FromHours(6)).ToUnixTimeMilliseconds()}&to={a.WindowEnd.ToUnixTimeMilliseconds()}");
        var subject = Uri.EscapeDataString(a.Subject);
        if (a.Scope == "goal")
        {
            return new
            {
                series = $"/api/goals/{subject}/series?metric={Uri.EscapeDataString(SeriesMetricOf(a.Metric))}&{around}",
                failedRuns = $"/api/goals/{subject}/runs?outcome=failed&{window}",
                sampleRuns = a.SampleRunIds.Select(id => $"/api/runs/{id}").ToList(),
                sampleTraces = a.SampleRunIds.Select(id => $"/api/traces/{id}").ToList(),
            };
        }

        return new
        {
            series = $"/api/services/{subject}/series?{around}",
            operations = $"/api/services/{subject}/operations?{window}",
        };
    }

    /// <summary>The goal series API's metric for a finding's metric (rules and the failure rate read nearest).</summary>
    private static string SeriesMetricOf(string metric) => metric switch
    {
        "failure_rate" or "min-completion-rate" => "completion_rate",
        "finished" => "completed",
        "cost-per-hour" => "cost",
        "max-fan-out" => "fan_out_p99",
        _ => metric,
    };
}
