using System.Globalization;
using TaskLens.Core.Goals;
using TaskLens.Core.Traces;

namespace TaskLens.Server.Api;

/// <summary>The JSON shapes of the goal API (docs/goals.md lists every field).</summary>
internal static class GoalJson
{
    /// <summary>The series <c>metric</c> names and how each is read from a step's figures.</summary>
    public static readonly IReadOnlyDictionary<string, Func<GoalFigures, double?>> Metrics = new Dictionary<string, Func<GoalFigures, double?>>(StringComparer.Ordinal)
    {
        ["started"] = f => f.Started,
        ["completed"] = f => f.Completed,
        ["failed"] = f => f.Failed,
        ["abandoned"] = f => f.Abandoned,
        ["completion_rate"] = f => f.CompletionRate,
        ["duration_p50_ms"] = f => f.DurationP50Ms,
        ["duration_p95_ms"] = f => f.DurationP95Ms,
        ["duration_p99_ms"] = f => f.DurationP99Ms,
        ["input_tokens"] = f => f.InputTokens,
        ["output_tokens"] = f => f.OutputTokens,
        ["tokens"] = f => f.InputTokens + f.OutputTokens,
        ["cost"] = f => f.Cost,
        ["unpriced_calls"] = f => f.UnpricedCalls,
        ["fan_out_p50"] = f => f.FanOutP50,
        ["fan_out_p99"] = f => f.FanOutP99,
        ["throttled"] = f => f.Throttled,
    };

    public static object Figures(GoalFigures f) => new
    {
        goal = f.GoalName,
        started = f.Started,
        completed = f.Completed,
        failed = f.Failed,
        abandoned = f.Abandoned,
        completionRate = f.CompletionRate,
        durationMs = new { p50 = f.DurationP50Ms, p95 = f.DurationP95Ms, p99 = f.DurationP99Ms },
        tokens = new { input = f.InputTokens, output = f.OutputTokens, cached = f.CachedTokens },
        cost = f.Cost,
        unpricedCalls = f.UnpricedCalls,
        fanOut = new { p50 = f.FanOutP50, p99 = f.FanOutP99 },
        throttled = f.Throttled,
    };

    public static object Run(GoalRun r) => new
    {
        runId = r.RunId,
        goal = r.GoalName,
        rule = r.Rule.ToString().ToLowerInvariant(),
        goalSpanId = r.GoalSpanId == 0 ? null : Hex(r.GoalSpanId),
        service = r.Service,
        outcome = r.Outcome.ToString().ToLowerInvariant(),
        start = Time(r.StartUnixNano),
        end = Time(r.EndUnixNano),
        durationMs = r.DurationNano / 1e6,
        subTasks = new { total = r.SubTasks, llm = r.LlmCalls, tool = r.ToolCalls, db = r.DbCalls, http = r.HttpCalls, other = r.OtherSubTasks },
        fanOut = r.FanOut,
        depth = r.Depth,
        tokens = new { input = r.InputTokens, output = r.OutputTokens, cached = r.CachedTokens },
        cost = r.Cost,
        unpricedCalls = r.UnpricedCalls,
        errors = r.Errors,
        firstError = r.Errors == 0 ? null : new { message = r.FirstError, spanId = Hex(r.FirstErrorSpanId) },
        throttled = r.Throttled,
        retries = r.Retries,
        criticalPath = new { durationMs = r.CriticalPathNano / 1e6, spanIds = r.CriticalPathSpanIds.Select(Hex) },
        spansNotTracked = r.SpansNotTracked,
        version = r.Version,
    };

    public static object Group(SubTaskGroup g) => new
    {
        id = g.Id,
        parentId = g.ParentId,
        operation = g.Operation,
        service = g.Service,
        depth = g.Depth,
        count = g.Count,
        errors = g.Errors,
        durationMs = new { p50 = g.DurationP50Ms, p95 = g.DurationP95Ms, max = g.DurationMaxMs },
        start = Time(g.FirstStartUnixNano),
        end = Time(g.LastEndUnixNano),
    };

    public static object Span(StoredSpan s) => new
    {
        spanId = s.SpanId,
        parentSpanId = s.ParentSpanId,
        name = s.Name,
        service = s.ServiceName,
        start = Time(s.StartTimeUnixNano),
        durationMs = (s.EndTimeUnixNano > s.StartTimeUnixNano ? s.EndTimeUnixNano - s.StartTimeUnixNano : 0) / 1e6,
        status = s.StatusCode == 2 ? "error" : s.StatusCode == 1 ? "ok" : "unset",
        statusMessage = s.StatusMessage,
    };

    private static string Hex(ulong id) => id.ToString("x16", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(ulong unixNano) => DateTimeOffset.FromUnixTimeMilliseconds((long)(unixNano / 1_000_000));
}
