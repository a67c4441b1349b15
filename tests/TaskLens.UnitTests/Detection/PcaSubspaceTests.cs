using Microsoft.ML;
using Microsoft.ML.Trainers;
using TaskLens.Detection.Runs;

namespace TaskLens.UnitTests.Detection;

public sealed class PcaSubspaceTests
{
    [Fact]
    public void Score_RunsOfATrainedModel_EqualsMlNetsOwnScore()
    {
        // Correlated figures (a shared factor plus noise), some far off the subspace, as standardized run features are.
        var random = new Random(11);
        var rows = Enumerable.Range(0, 300).Select(i =>
        {
            var factor = (float)((random.NextDouble() * 4) - 2);
            var row = new float[RunFeatures.Count];
            for (var f = 0; f < row.Length; f++)
            {
                row[f] = (factor * (f % 3 == 0 ? 1 : 0.5f)) + (float)((random.NextDouble() - 0.5) * 0.3) + (i % 50 == 0 && f == 7 ? 6 : 0);
            }

            return row;
        }).ToList();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows.Select(r => new RunOutlierModel.RunVector { Features = r }));
        var model = ml.AnomalyDetection.Trainers.RandomizedPca(new RandomizedPcaTrainer.Options
        {
            FeatureColumnName = nameof(RunOutlierModel.RunVector.Features), Rank = 3, EnsureZeroMean = true, Seed = 1,
        }).Fit(data);
        var expected = ml.Data.CreateEnumerable<MlNetScore>(model.Transform(data), reuseRowObject: false).Select(s => s.Score).ToList();

        var subspace = PcaSubspace.From(model.Model, RunFeatures.Count);

        Assert.Equal(3, subspace.Rank);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.True(Math.Abs(subspace.Score(rows[i]) - expected[i]) <= 1e-4 + (1e-4 * expected[i]), $"row {i}: {subspace.Score(rows[i])} against ML.NET's {expected[i]}");
        }

        Assert.True(expected.Max() > 5 * expected.Order().ElementAt(expected.Count / 2), "the rows off the subspace score well above the median");
    }

    private sealed class MlNetScore
    {
        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }
}
