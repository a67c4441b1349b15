using System.Collections.Concurrent;
using TaskLens.Core.Goals;

namespace TaskLens.Detection.Runs;

/// <summary>
/// Judges a finished run against its goal's usual runs (<see cref="RunOutlierModel"/>): the model of a goal is trained
/// from its last <see cref="TrainingRuns"/> stored runs of the last <see cref="Lookback"/> and kept for
/// <see cref="ModelLifetime"/>; at most <see cref="MaxModels"/> goals are kept at once. Thread-safe.
/// </summary>
public sealed class RunOutliers(IGoalReader goals) : IRunOutlierJudge
{
    public const int TrainingRuns = 1_000;
    public const int MaxModels = 1_000;
    public static readonly TimeSpan Lookback = TimeSpan.FromDays(7);
    public static readonly TimeSpan ModelLifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<(string Tenant, string Goal), (DateTimeOffset At, RunOutlierModel? Model, int Runs)> _models = new();

    /// <summary>The run as an outlier (or null), and how many of the goal's runs the model learnt from (0: too few for a model).</summary>
    public async Task<(RunOutlier? Outlier, int TrainedOn)> JudgeAsync(GoalRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var now = DateTimeOffset.UtcNow;
        var key = (run.Tenant, run.GoalName);
        if (!_models.TryGetValue(key, out var entry) || now - entry.At > ModelLifetime)
        {
            var runs = await goals.RunsAsync(new GoalRunQuery(run.Tenant, run.GoalName, now - Lookback, now.AddMinutes(1), null, 0, TrainingRuns), cancellationToken);
            var finished = runs.Where(r => r.Outcome != GoalRunOutcome.Abandoned).ToList();
            var model = RunOutlierModel.Train(run.GoalName, finished);
            entry = (now, model, model is null ? 0 : finished.Count);
            if (_models.Count >= MaxModels)
            {
                _models.Clear();
            }

            _models[key] = entry;
        }

        return entry.Model is { } trained && run.Outcome != GoalRunOutcome.Abandoned ? (trained.Judge(run), entry.Runs) : (null, entry.Runs);
    }
}
