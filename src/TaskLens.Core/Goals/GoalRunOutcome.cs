namespace TaskLens.Core.Goals;

/// <summary>How a goal run ended. Persisted: never renumber.</summary>
public enum GoalRunOutcome : byte
{
    /// <summary>The goal span ended, no descendant arrived for the quiet period, and nothing critical failed.</summary>
    Completed = 1,

    /// <summary>As completed, but the goal span or a sub-task on the critical path ended in error.</summary>
    Failed = 2,

    /// <summary>The goal span never arrived within the abandon limit.</summary>
    Abandoned = 3,
}
