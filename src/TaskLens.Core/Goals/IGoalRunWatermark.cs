namespace TaskLens.Core.Goals;

/// <summary>
/// How far this node's goal runs are stored, for continuous detection to judge a step only once its runs are in
/// <c>goal_runs</c> (docs/detection.md, "When").
/// </summary>
public interface IGoalRunWatermark
{
    /// <summary>
    /// Every goal run whose spans had all reached this node's rollup before this time is stored (as finalized from those
    /// spans); null until a sweep first ends with every due run stored. The rollup's clock: when a span was stored and
    /// seen, not when it ended. Runs without a goal span (stored as abandoned after <see cref="GoalOptions.AbandonAfter"/>)
    /// and runs of other nodes are not covered.
    /// </summary>
    DateTimeOffset? StoredThrough { get; }
}
