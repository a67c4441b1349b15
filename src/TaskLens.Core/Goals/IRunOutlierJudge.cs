namespace TaskLens.Core.Goals;

/// <summary>
/// Judges a finished run against its goal's usual runs (implemented by detection's run-level outlier model), so the run
/// page can say when a run is unlike the others and why.
/// </summary>
public interface IRunOutlierJudge
{
    /// <summary>The run as an outlier (null when usual), and how many of the goal's runs the model learnt from (0: too few for a model).</summary>
    Task<(RunOutlier? Outlier, int TrainedOn)> JudgeAsync(GoalRun run, CancellationToken cancellationToken);
}
