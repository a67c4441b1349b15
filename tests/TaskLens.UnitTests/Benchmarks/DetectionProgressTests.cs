using TaskLens.Benchmarks.Load;

namespace TaskLens.UnitTests.Benchmarks;

public sealed class DetectionProgressTests
{
    private static readonly DateTimeOffset Minute = new(2026, 12, 2, 14, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(47.0, 0.0)] // scraped at 14:00:47 with 47 s of lag: judged until 14:00:00
    [InlineData(48.5, 0.0)] // a slow scrape reads a lag 1.5 s too long: still 14:00:00
    [InlineData(45.2, 0.0)]
    [InlineData(107.0, -60.0)] // a step less judged: 13:59:00
    public void JudgedUntil_LagFromAScrape_TheStepEndToTheNearestMinute(double lagSeconds, double expectedOffsetSeconds)
    {
        var scrapedAt = Minute.AddSeconds(47);

        Assert.Equal(Minute.AddSeconds(expectedOffsetSeconds), DetectionProgress.JudgedUntil(scrapedAt, lagSeconds));
    }
}
