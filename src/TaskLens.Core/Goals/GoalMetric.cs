namespace TaskLens.Core.Goals;

/// <summary>The per-step goal figures the dashboard charts, each with how it is read from <see cref="GoalFigures"/>.</summary>
public sealed record GoalMetric(string Name, string Label, string Unit, Func<GoalFigures, double?> Read)
{
    public static IReadOnlyList<GoalMetric> Charted { get; } =
    [
        new("completion_rate", "Completion rate", "ratio", f => f.CompletionRate),
        new("completed", "Runs completed", "runs", f => f.Completed),
        new("failed", "Runs failed", "runs", f => f.Failed),
        new("duration_p95_ms", "Duration p95", "ms", f => f.DurationP95Ms),
        new("cost", "Cost", "USD", f => f.Cost),
        new("fan_out_p99", "Fan-out p99", "sub-tasks", f => f.FanOutP99),
    ];
}
