using TaskLens.Core.Goals;

namespace TaskLens.Detection.Runs;

/// <summary>
/// Judges a finished run against its goal's usual runs (<see cref="RunOutlierModel"/>): the model of a goal is trained
/// from its last <see cref="TrainingRuns"/> stored runs of the last <see cref="Lookback"/>, and trained afresh only once
/// the goal has enough new runs — a quarter of the runs it was trained on (<see cref="NewShareToRetrain"/>, at least
/// <see cref="MinNewRuns"/>), counting the runs judged that ended after the newest run it learnt from — and at most once
/// every <see cref="MinRetrainInterval"/>. Until then a run is judged by the model it has, however old: the usual runs of
/// a goal that runs no new ones have not changed, and a busy goal's last quarter of an hour does not move a model of
/// its last 1,000 runs much. A
/// goal with too few runs for a model is asked again once the runs judged since could make enough, or after
/// <see cref="NoModelRetry"/>. At most <see cref="MaxModels"/> goals are kept at once. Thread-safe; one goal is
/// trained at a time.
/// </summary>
/// <remarks>
/// Until 2026-12-02 every goal's model was trained afresh every 10 minutes whatever had happened: a storage read of
/// 1,000 runs and an ML.NET training per goal every 10 minutes, also for goals that had run nothing new since
/// (docs/detection.md, "Run-level outliers"). Now a goal trains at most as often as before, and only when its runs changed.
/// </remarks>
public sealed class RunOutliers(IGoalReader goals, TimeProvider? time = null) : IRunOutlierJudge, IDisposable
{
    public const int TrainingRuns = 1_000;
    public const int MaxModels = 1_000;

    /// <summary>The share of its training runs a goal must have run anew before its model is trained again.</summary>
    public const double NewShareToRetrain = 0.25;

    /// <summary>New runs needed at least before a model is trained again (a goal trained on few runs).</summary>
    public const int MinNewRuns = 10;

    public static readonly TimeSpan Lookback = TimeSpan.FromDays(7);

    /// <summary>The shortest time between two trainings of a goal's model, however many new runs it has.</summary>
    public static readonly TimeSpan MinRetrainInterval = TimeSpan.FromMinutes(10);

    /// <summary>How long a goal found with too few runs waits before storage is asked again, if no judged runs say sooner.</summary>
    public static readonly TimeSpan NoModelRetry = TimeSpan.FromMinutes(10);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Tenant, string Goal), GoalModel> _models = [];
    private readonly SemaphoreSlim _training = new(1, 1);
    private long _trainings;

    /// <summary>Models trained (or storage read for one and found too few runs) since start.</summary>
    public long Trainings => Interlocked.Read(ref _trainings);

    /// <summary>The run as an outlier (or null), and how many of the goal's runs the model learnt from (0: too few for a model).</summary>
    public async Task<(RunOutlier? Outlier, int TrainedOn)> JudgeAsync(GoalRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var key = (run.Tenant, run.GoalName);
        var model = Current(key, run, count: true);
        if (model is null)
        {
            await _training.WaitAsync(cancellationToken);
            try
            {
                // Another judge may have trained it while this one waited.
                model = Current(key, run, count: false) ?? await TrainAsync(key, cancellationToken);
            }
            finally
            {
                _training.Release();
            }
        }

        return model.Model is { } trained && run.Outcome != GoalRunOutcome.Abandoned ? (trained.Judge(run), model.TrainedOn) : (null, model.TrainedOn);
    }

    public void Dispose() => _training.Dispose();

    /// <summary>The goal's model if it is still current, else null; the run counted (<paramref name="count"/>) when it is newer than what the model learnt from.</summary>
    private GoalModel? Current((string Tenant, string Goal) key, GoalRun run, bool count)
    {
        lock (_gate)
        {
            if (!_models.TryGetValue(key, out var model))
            {
                return null;
            }

            if (count && run.EndUnixNano > model.NewestEndUnixNano && run.Outcome != GoalRunOutcome.Abandoned)
            {
                model.CountNew(run.RunId);
            }

            return model.IsCurrent(_time.GetUtcNow()) ? model : null;
        }
    }

    private async Task<GoalModel> TrainAsync((string Tenant, string Goal) key, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var runs = await goals.RunsAsync(new GoalRunQuery(key.Tenant, key.Goal, now - Lookback, now.AddMinutes(1), null, 0, TrainingRuns), cancellationToken);
        var finished = runs.Where(r => r.Outcome != GoalRunOutcome.Abandoned).ToList();
        var trained = RunOutlierModel.Train(key.Goal, finished);
        var model = new GoalModel(trained, trained is null ? 0 : finished.Count, finished.Count, finished.Count == 0 ? 0 : finished.Max(r => r.EndUnixNano), now);
        Interlocked.Increment(ref _trainings);
        lock (_gate)
        {
            if (_models.Count >= MaxModels && !_models.ContainsKey(key))
            {
                _models.Clear();
            }

            _models[key] = model;
        }

        return model;
    }

    /// <summary>A goal's model (null: too few runs) and what it learnt from; its counts change under the owner's lock.</summary>
    private sealed class GoalModel(RunOutlierModel? model, int trainedOn, int runsRead, ulong newestEndUnixNano, DateTimeOffset at)
    {
        public RunOutlierModel? Model { get; } = model;

        public int TrainedOn { get; } = trainedOn;

        public ulong NewestEndUnixNano { get; } = newestEndUnixNano;

        /// <summary>
        /// The runs judged that ended after the newest run learnt from, by id, so a run judged twice (its page opened
        /// after detection judged it, or re-finalized after a late span) counts once; kept only up to the count a
        /// training needs (at most a quarter of <see cref="TrainingRuns"/>, 250 ids), as more change nothing.
        /// </summary>
        private readonly HashSet<string> _newRuns = new(StringComparer.Ordinal);

        private int NewRunsNeeded => Model is null
            ? RunOutlierModel.DefaultMinRuns - runsRead
            : Math.Max(MinNewRuns, (int)Math.Ceiling(TrainedOn * NewShareToRetrain));

        public void CountNew(string runId)
        {
            if (_newRuns.Count < NewRunsNeeded)
            {
                _newRuns.Add(runId);
            }
        }

        public bool IsCurrent(DateTimeOffset now) => Model is null
            ? _newRuns.Count < NewRunsNeeded && now - at < NoModelRetry
            : _newRuns.Count < NewRunsNeeded || now - at < MinRetrainInterval;
    }
}
