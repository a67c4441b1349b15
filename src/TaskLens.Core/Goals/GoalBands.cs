namespace TaskLens.Core.Goals;

/// <summary>A goal's watched metrics over a window at the detection step (<see cref="IGoalBandReader"/>).</summary>
/// <param name="Step">The detection step (<c>TaskLens:Detection:Step</c>).</param>
/// <param name="Times">Step starts in unix seconds, shared by every metric.</param>
/// <param name="LimitSpreads">Spreads from the expected value to each limit (before a sum's recent range widens them).</param>
public sealed record GoalBands(TimeSpan Step, IReadOnlyList<long> Times, IReadOnlyList<GoalBand> Metrics, double LimitSpreads);
