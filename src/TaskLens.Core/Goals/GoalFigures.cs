namespace TaskLens.Core.Goals;

/// <summary>
/// One goal's figures over a window (the whole window for <c>GET /api/goals</c>, one step of a series otherwise).
/// Runs are counted where they ended, except <see cref="Started"/>, counted where they started.
/// </summary>
public sealed record GoalFigures
{
    public required string GoalName { get; init; }

    /// <summary>The start of the step (series) or of the window (summary).</summary>
    public required DateTimeOffset Time { get; init; }
    public long Started { get; init; }
    public long Completed { get; init; }
    public long Failed { get; init; }
    public long Abandoned { get; init; }

    /// <summary>Completed ÷ runs ended; null with no run ended.</summary>
    public double? CompletionRate => Completed + Failed + Abandoned == 0 ? null : (double)Completed / (Completed + Failed + Abandoned);
    public double DurationP50Ms { get; init; }
    public double DurationP95Ms { get; init; }
    public double DurationP99Ms { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CachedTokens { get; init; }
    public double Cost { get; init; }
    public long UnpricedCalls { get; init; }
    public double FanOutP50 { get; init; }
    public double FanOutP99 { get; init; }
    public long Throttled { get; init; }
}
