namespace TaskLens.Core.Goals;

/// <summary>Where finalized goal runs go; a run written again with a higher version replaces the earlier one.</summary>
public interface IGoalRunSink
{
    Task WriteAsync(IReadOnlyList<GoalRun> runs, CancellationToken cancellationToken);
}
