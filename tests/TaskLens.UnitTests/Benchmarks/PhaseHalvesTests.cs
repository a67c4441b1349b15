using TaskLens.Benchmarks.Load;

namespace TaskLens.UnitTests.Benchmarks;

public sealed class PhaseHalvesTests
{
    [Fact]
    public void Compute_DrainBehindAtSplit_WeighsEachHalfByMeanOfAcknowledgedAndStored()
    {
        // 1,000 spans; at the split 500 acknowledged and 300 stored (the drainer behind): the first half did 400 spans'
        // work, the second 600. 4 ms of CPU in the first, 3 ms in the second, 1 ms in the tail.
        var halves = PhaseHalves.Compute(
            1_000,
            (TimeSpan.FromMilliseconds(10), 5_000),
            (TimeSpan.FromMilliseconds(14), 5_300, 500),
            TimeSpan.FromMilliseconds(17),
            TimeSpan.FromMilliseconds(18));

        Assert.Equal(400, halves.FirstSpans);
        Assert.Equal(600, halves.SecondSpans);
        Assert.Equal(10.0, halves.FirstMicrosPerSpan, 9);
        Assert.Equal(5.0, halves.SecondMicrosPerSpan, 9);
        Assert.Equal(1.0, halves.TailMicrosPerSpan, 9);
        Assert.Equal(3000.0 / 700, halves.SecondPerSpanStored, 9);
        Assert.Equal(6.0, halves.SecondPerSpanAcknowledged, 9);
    }

    [Fact]
    public void Compute_AnyPhase_HalvesWeightedPlusTailGiveTheHeadline()
    {
        var start = (Cpu: TimeSpan.FromSeconds(3), Stored: 250_000UL);
        var split = (Cpu: TimeSpan.FromSeconds(7.5), Stored: 1_150_000UL, Acknowledged: 1_024_000L);
        var allStored = TimeSpan.FromSeconds(14.2);
        var end = TimeSpan.FromSeconds(15.1);
        const long Spans = 2_048_000;

        var halves = PhaseHalves.Compute(Spans, start, split, allStored, end);

        var headline = (end - start.Cpu).TotalMicroseconds / Spans;
        var weighted = ((halves.FirstMicrosPerSpan * halves.FirstSpans) + (halves.SecondMicrosPerSpan * halves.SecondSpans)) / Spans
            + halves.TailMicrosPerSpan;
        Assert.Equal(headline, weighted, 9);
        Assert.Equal(Spans, halves.FirstSpans + halves.SecondSpans, 9);
    }

    [Fact]
    public void Compute_RetriedExportsStoredTwice_ClampsStoredToThePhase()
    {
        // Duplicates of retried exports can put more rows in the table than the phase sent.
        var halves = PhaseHalves.Compute(
            100,
            (TimeSpan.Zero, 0),
            (TimeSpan.FromMilliseconds(1), 150, 100),
            TimeSpan.FromMilliseconds(1),
            TimeSpan.FromMilliseconds(1));

        Assert.Equal(100, halves.FirstSpans);
        Assert.Equal(0, halves.SecondSpans);
        Assert.True(double.IsNaN(halves.SecondMicrosPerSpan));
        Assert.Equal(10.0, halves.FirstMicrosPerSpan, 9);
    }

    [Fact]
    public void Compute_AcknowledgedBeyondThePhase_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PhaseHalves.Compute(
            100, (TimeSpan.Zero, 0), (TimeSpan.Zero, 0, 101), TimeSpan.Zero, TimeSpan.Zero));
}
