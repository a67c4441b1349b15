using Microsoft.ML;
using Microsoft.ML.Data;

namespace TaskLens.Core.Incidents.Learning;

/// <summary>
/// An ML.NET binary classifier over alert-pair features (<see cref="PairFeatures"/>): L-BFGS logistic regression after
/// min-max normalisation, trained on people's merges (together) and splits (apart). Not thread-safe (one prediction
/// engine); the incident writer is its one caller.
/// </summary>
internal sealed class GroupingClassifier
{
    private readonly PredictionEngine<PairRow, PairPrediction> _engine;

    private GroupingClassifier(PredictionEngine<PairRow, PairPrediction> engine) => _engine = engine;

    public static GroupingClassifier Train(IEnumerable<GroupingDecision> decisions)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(decisions.Select(d => new PairRow { Features = [.. d.Features], Label = d.Together }));
        var pipeline = ml.Transforms.NormalizeMinMax(nameof(PairRow.Features))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(nameof(PairRow.Label), nameof(PairRow.Features)));
        var model = pipeline.Fit(data);
        return new GroupingClassifier(ml.Model.CreatePredictionEngine<PairRow, PairPrediction>(model));
    }

    /// <summary>The probability that the pair belongs together.</summary>
    public double Probability(IReadOnlyList<float> features)
    {
        var p = _engine.Predict(new PairRow { Features = [.. features] }).Probability;
        return float.IsNaN(p) ? 0.5 : p;
    }

    private sealed class PairRow
    {
        [VectorType(PairFeatures.Count)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class PairPrediction
    {
        [ColumnName("PredictedLabel")]
        public bool Together { get; set; }

        public float Probability { get; set; }
    }
}
