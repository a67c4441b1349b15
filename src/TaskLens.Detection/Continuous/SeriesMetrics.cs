using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Core.Goals;

namespace TaskLens.Detection.Continuous;

/// <summary>
/// A metric continuous detection watches: how to read it from a bucket, which way is trouble, what an absent bucket
/// means (no run at all: zero runs finished, zero cost — but no completion rate), and how to say it in words. Names
/// and units are the series API's (rates are shares, 0 to 1; durations in milliseconds), so a finding's figures can be
/// read beside <c>/api/goals/{name}/series?metric=…</c>.
/// </summary>
public sealed record SeriesMetric<TBucket>(string Name, SeriesKind Kind, string Words, string Unit, Func<TBucket, double?> Read, double? WhenAbsent);

/// <summary>The metrics of goal and service series.</summary>
public static class SeriesMetrics
{
    public static IReadOnlyList<SeriesMetric<GoalFigures>> Goal { get; } =
    [
        new("completion_rate", SeriesKind.LowerIsWorse, "completion rate", "share", f => f.CompletionRate, null),
        new("failure_rate", SeriesKind.HigherIsWorse, "failure rate", "share", f => Ended(f) == 0 ? null : (double)f.Failed / Ended(f), null),
        new("duration_p95_ms", SeriesKind.HigherIsWorse, "p95 run duration", "ms", f => Ended(f) == 0 ? null : f.DurationP95Ms, null),
        new("cost", SeriesKind.HigherIsWorse, "cost per step", "$", f => f.Cost, 0),
        new("tokens", SeriesKind.HigherIsWorse, "tokens per step", "", f => f.InputTokens + f.OutputTokens, 0),
        new("fan_out_p99", SeriesKind.HigherIsWorse, "p99 fan-out (sub-tasks per run)", "", f => Ended(f) == 0 ? null : f.FanOutP99, null),
        new("finished", SeriesKind.LowerIsWorse, "runs finished per step", "", f => Ended(f), 0),
    ];

    public static IReadOnlyList<SeriesMetric<ServiceBucket>> Service { get; } =
    [
        new("request_rate", SeriesKind.Any, "spans per step", "", b => b.Requests, 0),
        new("error_rate", SeriesKind.HigherIsWorse, "error rate", "share", b => b.Requests == 0 ? null : (double)b.Errors / b.Requests, null),
        new("duration_p95_ms", SeriesKind.HigherIsWorse, "p95 span duration", "ms", b => b.Requests == 0 ? null : b.DurationP95Ms, null),
    ];

    /// <summary>The goal metrics that say whether goals are healthy (the agent-aware check).</summary>
    public static IReadOnlySet<string> GoalHealth { get; } = new HashSet<string>(StringComparer.Ordinal) { "completion_rate", "failure_rate", "duration_p95_ms", "finished" };

    private static long Ended(GoalFigures f) => f.Completed + f.Failed + f.Abandoned;
}
