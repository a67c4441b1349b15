using TaskLens.Detection;
using static TaskLens.UnitTests.Detection.SyntheticSeries;

namespace TaskLens.UnitTests.Detection;

public sealed class CombinedDetectorVolatilityTests
{
    private static readonly CombinedDetector.Settings WithVolatility = new() { VolatilityPoints = 144, VolatilityEvidence = 5 };

    /// <summary>Level 100, noise σ 2, and from point 2,000 on σ 5 at the same level: no level, no drift, only wider swings.</summary>
    private static double[] Noisier(int seed = 7)
    {
        var calm = Create(3000, level: 100, noise: 2, seed: seed);
        return calm.Select((v, i) => i >= 2000 ? 100 + ((v - 100) * 2.5) : v).ToArray();
    }

    [Fact]
    public void Settings_Default_HaveTheVolatilityScoreOn()
    {
        Assert.Equal((144, 5.0), (new CombinedDetector.Settings().VolatilityPoints, new CombinedDetector.Settings().VolatilityEvidence));
    }

    [Fact]
    public void Observe_SeriesThatStraysFurtherForLong_IsRaisedAsVolatility()
    {
        var raised = Run(new CombinedDetector(SeriesKind.Any, WithVolatility with { DriftPoints = 0 }), Noisier());

        var (position, anomaly) = Assert.Single(raised, r => r.Anomaly.Kind == AnomalyKind.Volatility);
        Assert.Equal(CombinedDetector.VolatilityName, anomaly.Detector);
        Assert.InRange(position, 2000, 2144);
        Assert.True(anomaly.Score >= WithVolatility.VolatilityEvidence, $"volatility evidence {anomaly.Score}");
        Assert.DoesNotContain(raised, r => r.Position < 2000);
    }

    [Fact]
    public void Observe_WithoutTheVolatilityScore_TheSameSeriesRaisesNoVolatility()
    {
        Assert.DoesNotContain(Run(new CombinedDetector(SeriesKind.Any, WithVolatility with { VolatilityPoints = 0 }), Noisier()), r => r.Anomaly.Kind == AnomalyKind.Volatility);
    }

    [Fact]
    public void Observe_VolatilityOfAOneSidedSeries_IsRaisedAtAPointOffInItsBadDirection()
    {
        var values = Noisier();

        var rise = Assert.Single(Run(new CombinedDetector(SeriesKind.HigherIsWorse, WithVolatility), values), r => r.Anomaly.Kind == AnomalyKind.Volatility);
        var drop = Assert.Single(Run(new CombinedDetector(SeriesKind.LowerIsWorse, WithVolatility), values), r => r.Anomaly.Kind == AnomalyKind.Volatility);

        Assert.True(rise.Anomaly.Value > rise.Anomaly.Expected, "a rise where higher is worse");
        Assert.True(drop.Anomaly.Value < drop.Anomaly.Expected, "a drop where lower is worse");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Observe_FlatNoisySeries_RaisesNoVolatility(int seed)
    {
        Assert.DoesNotContain(Run(new CombinedDetector(SeriesKind.Any, WithVolatility), Create(6000, level: 100, noise: 2, seed: seed)), r => r.Anomaly.Kind == AnomalyKind.Volatility);
    }

    [Fact]
    public void Observe_DailySeasonalSeries_RaisesNoVolatility()
    {
        Assert.Empty(Run(new CombinedDetector(SeriesKind.Any, WithVolatility), Create(6000, level: 100, noise: 2, dailyAmplitude: 30, seed: 5)));
    }
}
