using TaskLens.Detection;
using static TaskLens.UnitTests.Detection.SyntheticSeries;

namespace TaskLens.UnitTests.Detection;

public sealed class CombinedDetectorChangePointTests
{
    [Fact]
    public void Observe_StepOfThreeSigma_IsRaisedByTheChangePoints_SoonerThanWithoutThem()
    {
        var values = Create(3000, level: 100, noise: 2).Select((v, i) => i >= 1500 ? v + 6 : v).ToArray();

        var with = Assert.Single(Run(new CombinedDetector(), values));
        var without = Assert.Single(Run(new CombinedDetector(settings: new CombinedDetector.Settings(ChangeRun: 0)), values));

        Assert.Equal((AnomalyKind.LevelShift, CombinedDetector.ChangeName), (with.Anomaly.Kind, with.Anomaly.Detector));
        Assert.InRange(with.Position, 1500, 1509);
        Assert.True(with.Position < without.Position, $"with change points at {with.Position}, without at {without.Position}");
        Assert.True(with.Anomaly.Score >= new CombinedDetector.Settings().ChangeEvidence, $"evidence {with.Anomaly.Score}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Observe_FlatNoise_TenThousandPoints_RaisesNothing(int seed)
    {
        Assert.Empty(Run(new CombinedDetector(), Create(10_000, level: 100, noise: 2, seed: seed)));
    }
}
