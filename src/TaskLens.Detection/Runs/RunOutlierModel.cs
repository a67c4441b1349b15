using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using TaskLens.Core.Goals;

namespace TaskLens.Detection.Runs;

/// <summary>
/// Run-level outliers for one goal: ML.NET's randomized-PCA anomaly trainer over the goal's finished runs' features
/// (<see cref="RunFeatures"/>), each taken as log(1 + x) and standardized by the goal's median and robust spread, so
/// "twelve times the tool calls" weighs the same at any scale. A run's score is its reconstruction error off the
/// principal subspace of the usual runs, in robust spreads (ML.NET's relative score times the run's distance from the
/// usual); the threshold is set from the training runs' own scores (their median plus
/// <see cref="Settings.Spreads"/> robust spreads of them), so it adapts to how regular the goal is. ML.NET trains; runs are
/// scored in plain code from the trained subspace (<see cref="PcaSubspace"/>). Immutable once trained: train afresh as runs
/// accumulate.
/// </summary>
public sealed class RunOutlierModel
{
    /// <summary>
    /// One context for every goal's training. A context per model cost its construction each time and kept it alive
    /// with the model; it is not thread-safe, so training takes <see cref="TrainingGate"/>. The trainer's seed is
    /// set (<see cref="Fit"/>), so a model does not depend on which goal trained before it.
    /// </summary>
    private static readonly MLContext Context = new(seed: 1);

    private static readonly Lock TrainingGate = new();

    private readonly PcaSubspace? _subspace;
    private readonly double[] _median;
    private readonly double[] _spread;
    private readonly double[] _rawMedian;
    private readonly double _minRatio;

    private RunOutlierModel(string goal, PcaSubspace? subspace, double[] median, double[] spread, double[] rawMedian, double threshold, double minRatio)
    {
        (GoalName, _subspace, _median, _spread, _rawMedian, Threshold, _minRatio) = (goal, subspace, median, spread, rawMedian, threshold, minRatio);
    }

    /// <param name="MinRuns">Finished runs needed before a goal gets a model.</param>
    /// <param name="Rank">Principal components kept (the usual runs' shape).</param>
    /// <param name="Spreads">Robust spreads of the training scores above their median from which a run is an outlier.</param>
    /// <param name="MinRatio">A run is flagged only when some figure is at least this many times (or this fraction of) its usual.</param>
    /// <param name="Trim">Runs with a figure more than this many robust spreads from its median are left out of training.</param>
    public sealed record Settings(int MinRuns = DefaultMinRuns, int Rank = 3, double Spreads = 6, double MinRatio = 3, double Trim = 5);

    /// <summary>Finished runs a goal needs before it gets a model, unless <see cref="Settings"/> say otherwise.</summary>
    public const int DefaultMinRuns = 30;

    public string GoalName { get; }

    public double Threshold { get; }

    /// <summary>A model of the goal's usual runs, or null with fewer than <see cref="Settings.MinRuns"/> runs.</summary>
    public static RunOutlierModel? Train(string goal, IReadOnlyList<GoalRun> runs, Settings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        settings ??= new Settings();
        if (runs.Count < settings.MinRuns)
        {
            return null;
        }

        var raw = runs.Select(RunFeatures.Of).ToList();
        var logs = raw.Select(r => r.Select(v => Math.Log(1 + Math.Max(0, v))).ToArray()).ToList();
        var median = new double[RunFeatures.Count];
        var spread = new double[RunFeatures.Count];
        var rawMedian = new double[RunFeatures.Count];
        for (var f = 0; f < RunFeatures.Count; f++)
        {
            var column = logs.Select(l => l[f]).Order().ToArray();
            median[f] = Quantile(column, 0.5);
            // A figure that never varies (fan-out fixed by the agent) gets the spread of a 25% change: a loop that
            // multiplies it still stands out, jitter does not.
            spread[f] = Math.Max((Quantile(column, 0.75) - Quantile(column, 0.25)) / 1.349, Math.Log(1.25));
            rawMedian[f] = Quantile(raw.Select(r => r[f]).Order().ToArray(), 0.5);
        }

        // Trained on the usual runs only: runs with a figure more than Trim robust spreads from its median would pull a
        // principal component towards themselves (a loop's tool calls are the largest variance there is) and so
        // reconstruct well — the blind spot of PCA. They are still judged.
        var standardized = logs.Select(l => Standardize(l, median, spread)).ToList();
        var usual = standardized.Where(v => v.All(x => Math.Abs(x) <= settings.Trim)).ToList();
        if (usual.Count < settings.MinRuns)
        {
            usual = standardized;
        }

        var subspace = Fit(usual, settings.Rank);
        var scores = usual.Select(v => Score(subspace, v)).Order().ToArray();
        var scoreMedian = Quantile(scores, 0.5);
        var scoreSpread = Math.Max((Quantile(scores, 0.75) - Quantile(scores, 0.25)) / 1.349, 1e-6);
        return new RunOutlierModel(goal, subspace, median, spread, rawMedian, scoreMedian + (settings.Spreads * scoreSpread), settings.MinRatio);
    }

    /// <summary>The run as an outlier with its reason, or null when it is like the goal's usual runs.</summary>
    public RunOutlier? Judge(GoalRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var raw = RunFeatures.Of(run);
        var score = Score(raw);
        if (score < Threshold)
        {
            return null;
        }

        // The reason: the figure furthest from its usual, as a ratio either way — among figures whose usual is not zero
        // first (a ratio to nothing says little), else the largest figure the goal's runs usually do not have at all.
        var (feature, ratio) = (-1, 1.0);
        foreach (var usualIsZero in new[] { false, true })
        {
            for (var f = 0; f < RunFeatures.Count; f++)
            {
                if ((_rawMedian[f] == 0) != usualIsZero)
                {
                    continue;
                }

                var r = (raw[f] + 1) / (_rawMedian[f] + 1);
                if (Math.Max(r, 1 / r) > Math.Max(ratio, 1 / ratio))
                {
                    (feature, ratio) = (f, r);
                }
            }

            if (feature >= 0 && Math.Max(ratio, 1 / ratio) >= _minRatio)
            {
                break;
            }
        }

        if (feature < 0 || Math.Max(ratio, 1 / ratio) < _minRatio)
        {
            return null; // unusual only in a combination too small to name: not worth a finding
        }

        var (name, more) = RunFeatures.Names[feature];
        var shown = ratio >= 1 ? ratio : 1 / ratio;
        var reason = _rawMedian[feature] == 0
            ? string.Create(CultureInfo.InvariantCulture, $"this run {more} where the goal's runs usually do not ({Format(raw[feature])} {name}, usually 0)")
            : string.Create(CultureInfo.InvariantCulture,
                $"this run {more} {shown:0.#}× {(ratio >= 1 ? "more" : "less")} than usual ({Format(raw[feature])} {name}, usually {Format(_rawMedian[feature])})");
        return new RunOutlier(run.RunId, GoalName, score, Threshold, name, ratio, reason);
    }

    /// <summary>The model's score of a run (for tests and explanations).</summary>
    public double ScoreOf(GoalRun run) => Score(RunFeatures.Of(run));

    /// <summary>
    /// The principal subspace of the usual runs, trained by ML.NET's randomized PCA; null when their figures do not vary
    /// at all (every run alike: ML.NET's eigenvectors come out NaN), and then a run's distance from the usual is its score.
    /// </summary>
    private static PcaSubspace? Fit(List<float[]> usual, int rank)
    {
        if (usual.All(v => v.All(x => Math.Abs(x) < 1e-6f)))
        {
            return null;
        }

        lock (TrainingGate)
        {
            var trainer = Context.AnomalyDetection.Trainers.RandomizedPca(new RandomizedPcaTrainer.Options
            {
                FeatureColumnName = nameof(RunVector.Features),
                Rank = Math.Min(rank, RunFeatures.Count - 1),
                EnsureZeroMean = true,
                Seed = 1,
            });
            try
            {
                var model = trainer.Fit(Context.Data.LoadFromEnumerable(usual.Select(v => new RunVector { Features = v })));
                return PcaSubspace.From(model.Model, RunFeatures.Count);
            }
            catch (ArgumentOutOfRangeException)
            {
                return null; // degenerate runs (too few distinct ones for the rank): judged by distance alone
            }
        }
    }

    private double Score(double[] raw) =>
        Score(_subspace, Standardize(raw.Select(v => Math.Log(1 + Math.Max(0, v))).ToArray(), _median, _spread));

    /// <summary>The error off the subspace in robust spreads (<see cref="Norm"/>), or the distance from the usual without one.</summary>
    private static double Score(PcaSubspace? subspace, float[] features) =>
        subspace is null ? Norm(features) : subspace.Score(features) * Norm(features);

    /// <summary>
    /// ML.NET's PCA score is the reconstruction error relative to the vector's length (an angle): a run ten times off in
    /// one figure and a run barely off score alike. Times the length, it is the error in robust spreads.
    /// </summary>
    private static double Norm(float[] features)
    {
        double sum = 0;
        foreach (var x in features)
        {
            sum += x * x;
        }

        return Math.Sqrt(sum);
    }

    private static float[] Standardize(double[] logs, double[] median, double[] spread)
    {
        var features = new float[RunFeatures.Count];
        for (var f = 0; f < features.Length; f++)
        {
            features[f] = (float)((logs[f] - median[f]) / spread[f]);
        }

        return features;
    }

    private static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        var rank = q * (sorted.Length - 1);
        var low = (int)rank;
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
    }

    private static string Format(double value) => value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture);

    internal sealed class RunVector
    {
        [VectorType(RunFeatures.Count)]
        public float[] Features { get; set; } = [];
    }
}
