namespace TaskLens.Core.Goals;

/// <summary>
/// How far this node's goal runs are stored, for continuous detection to judge a step only once its runs are in
/// <c>goal_runs</c> (docs/detection.md, "When").
/// </summary>
public interface IGoalRunWatermark
{
    /// <summary>
    /// Every goal run whose spans this node had all acknowledged before this time is stored (as finalized from those
    /// spans); null until a sweep first ends with every due run stored. Ingest's clock: when an export was acknowledged
    /// (with the spool off, stored and seen), not when its spans ended; capped by the spool's frontier
    /// (<see cref="Ingest.ISpoolFrontier"/>), so spans still waiting in the spool hold it. Runs without a goal span
    /// (stored as abandoned after <see cref="GoalOptions.AbandonAfter"/>) and runs of other nodes are not covered.
    /// </summary>
    DateTimeOffset? StoredThrough { get; }
}
