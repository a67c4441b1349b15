using TaskLens.Detection;

namespace TaskLens.UnitTests.Detection;

public sealed class RollingSigmaDetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Observe_SpikeAfterAFullWindow_IsAnAnomaly_WithTheBandItLeft()
    {
        var detector = new RollingSigmaDetector(window: 4, k: 3);
        double[] values = [10, 12, 10, 12, 11, 40];
        var found = values.Select((v, i) => detector.Observe(T0.AddMinutes(i), v)).ToList();

        Assert.All(found.Take(5), Assert.Null);
        var spike = Assert.IsType<Anomaly>(found[5]);
        Assert.Equal((40.0, 11.25, "rolling-3sigma"), (spike.Value, spike.Expected, spike.Detector)); // mean of 12, 10, 12, 11
        var sigma = Math.Sqrt(((0.75 * 0.75) + (1.25 * 1.25) + (0.75 * 0.75) + (0.25 * 0.25)) / 4);
        Assert.Equal(11.25 + (3 * sigma), spike.Upper, 9);
        Assert.Equal((40 - 11.25) / sigma, spike.Score, 9);
    }

    [Fact]
    public void Observe_FlatSeries_IsQuiet_UntilItMoves()
    {
        var detector = new RollingSigmaDetector(window: 3);
        var quiet = Enumerable.Range(0, 10).Select(i => detector.Observe(T0.AddMinutes(i), 5)).ToList();

        Assert.All(quiet, Assert.Null);
        Assert.Equal(double.PositiveInfinity, detector.Observe(T0.AddMinutes(10), 5.5)!.Score);
    }
}
