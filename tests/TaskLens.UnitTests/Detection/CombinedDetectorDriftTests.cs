using TaskLens.Detection;
using static TaskLens.UnitTests.Detection.SyntheticSeries;

namespace TaskLens.UnitTests.Detection;

public sealed class CombinedDetectorDriftTests
{
    private static readonly CombinedDetector.Settings WithDrift = new();

    [Fact]
    public void Settings_Default_HaveTheDriftScoreOn()
    {
        Assert.True(WithDrift.DriftPoints > 0);
    }

    [Fact]
    public void Observe_SustainedDepartureBelowOneSpread_IsRaisedAsADrift_OnlyWithTheDriftScore()
    {
        // 0.9σ up for good from point 2,000: no point is a spike, the 8-point level mean stays near its noise, and the
        // CUSUM's allowance (1 spread a point) drains it; only a mean over many points sees it.
        var values = Create(3000, level: 100, noise: 2).Select((v, i) => i >= 2000 ? v + 1.8 : v).ToArray();

        var (position, anomaly) = Assert.Single(Run(new CombinedDetector(SeriesKind.Any, WithDrift), values));
        Assert.Empty(Run(new CombinedDetector(SeriesKind.Any, WithDrift with { DriftPoints = 0 }), values));

        Assert.Equal((AnomalyKind.Drift, CombinedDetector.DriftName), (anomaly.Kind, anomaly.Detector));
        Assert.InRange(position, 2000, 2144);
        Assert.True(anomaly.Score >= WithDrift.DriftEvidence, $"drift evidence {anomaly.Score}");
        Assert.InRange(anomaly.Probability, 0, Math.Pow(10, -WithDrift.DriftEvidence));
    }

    [Fact]
    public void Observe_SustainedDrop_IsADriftOnlyWhereLowerIsWorse()
    {
        var values = Create(3000, level: 100, noise: 2).Select((v, i) => i >= 2000 ? v - 1.8 : v).ToArray();

        Assert.Equal(AnomalyKind.Drift, Assert.Single(Run(new CombinedDetector(SeriesKind.LowerIsWorse, WithDrift), values)).Anomaly.Kind);
        Assert.Empty(Run(new CombinedDetector(SeriesKind.HigherIsWorse, WithDrift), values));
    }

    [Fact]
    public void Observe_DepartureInTheFirstDayOfJudging_IsNotADrift()
    {
        // Judging starts at point 300, the drift score (144 points) at 444, and a drift only after a day (288 points) more.
        var values = Create(3000, level: 100, noise: 2).Select((v, i) => i is >= 450 and < 700 ? v + 1.8 : v).ToArray();

        Assert.DoesNotContain(Run(new CombinedDetector(SeriesKind.Any, WithDrift), values), f => f.Anomaly.Kind == AnomalyKind.Drift);
    }

    [Fact]
    public void Observe_FlatNoisySeries_RaisesNoDrift()
    {
        Assert.Empty(Run(new CombinedDetector(SeriesKind.Any, WithDrift), Create(6000, level: 100, noise: 2, seed: 11)));
    }
}
