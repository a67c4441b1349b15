using TaskLens.Core.Goals;
using TaskLens.Detection;
using TaskLens.Detection.Continuous;
using static TaskLens.UnitTests.Detection.SyntheticSeries;

namespace TaskLens.UnitTests.Detection;

/// <summary>The band the combined detector judges each point by (<see cref="CombinedDetector.LastBand"/>) and its thinning for charts.</summary>
public sealed class DetectorBandTests
{
    [Fact]
    public void LastBand_BeforeEnoughHistory_IsNaN_ThenSurroundsTheLevel()
    {
        var values = Create(600, level: 100, noise: 2);
        var detector = new CombinedDetector();

        detector.Observe(At(0), values[0]);
        Assert.True(double.IsNaN(detector.LastBand.Lower));
        for (var i = 1; i < values.Length; i++)
        {
            detector.Observe(At(i), values[i]);
        }

        var (expected, lower, upper) = detector.LastBand;
        Assert.InRange(expected, 98, 102);
        Assert.True(lower < 95 && upper > 105 && upper - expected == expected - lower, $"{lower} {expected} {upper}");
    }

    [Fact]
    public void LastBand_OfARaisedPoint_IsTheBandTheAnomalyReports()
    {
        var values = Create(600, level: 100, noise: 2);
        values[500] = 400;
        var detector = SeriesDetectors.For(SeriesKind.HigherIsWorse, intermittent: false);

        Anomaly? raised = null;
        for (var i = 0; i <= 500; i++)
        {
            raised = detector.Observe(At(i), values[i]);
        }

        Assert.NotNull(raised);
        Assert.Equal((raised.Expected, raised.Lower, raised.Upper), detector.LastBand);
        Assert.True(values[500] > detector.LastBand.Upper);
    }

    [Fact]
    public void LastBand_IntermittentSum_ReachesUpToTheRecentRange()
    {
        // A goal that runs now and then: mostly zero cost, sometimes 5. A point must pass 5 (the recent range) to be raised.
        var detector = SeriesDetectors.For(SeriesKind.HigherIsWorse, intermittent: true);
        for (var i = 0; i < 800; i++)
        {
            detector.Observe(At(i), i % 50 == 0 ? 5 : 0);
        }

        Assert.True(detector.LastBand.Upper >= 5, $"upper {detector.LastBand.Upper}");
        Assert.Null(detector.Observe(At(800), 5));
    }

    [Fact]
    public void Thin_KeepsTheMostUnusualStepOfEachGroup_WithItsBand()
    {
        double[] values = [1, 5, 2.5, 1, 1, double.NaN, 0.5, 1, double.NaN];
        var expected = Enumerable.Repeat(1.0, values.Length).ToArray();
        var band = new GoalBand("m", "m", "", values, expected, expected.Select(e => e - 1).ToArray(), expected.Select(e => e + 1).ToArray());
        band.Lower[1] = -10; // the 5 was judged against wide limits: a fifth of its room, less unusual than 2.5 past its own
        band.Upper[1] = 20;

        var thinned = band.Thin(3);

        Assert.Equal([2.5, 1, 0.5], thinned.Values);
        Assert.Equal([0, 0, 0], thinned.Lower);
        Assert.Equal([2, 2, 2], thinned.Upper);
        Assert.Same(band, band.Thin(1));
        Assert.True(double.IsNaN(new GoalBand("m", "m", "", [double.NaN], [1], [0], [2]).Thin(2).Values[0]));
    }
}
