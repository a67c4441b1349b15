using TaskLens.Ingest.Receivers;
using TaskLens.UnitTests.Slack;

namespace TaskLens.UnitTests.Ingest.Receivers;

public sealed class SpoolRefusalLogTests
{
    [Fact]
    public void Refused_ManyWithinTheInterval_LogsOnceThenOnceMoreWithTheCountAfterIt()
    {
        var logger = new CountingLogger();
        var time = new ManualTime(new DateTimeOffset(2026, 12, 2, 3, 0, 0, TimeSpan.Zero));
        var log = new SpoolRefusalLog(logger, time);

        for (var i = 0; i < 100; i++)
        {
            log.Refused("http", "Tenant 'flood' holds its share of the spool");
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        // 100 refusals over 10 s: the first is logged, the other 99 are counted.
        var first = Assert.Single(logger.Messages);
        Assert.Contains("Tenant 'flood' holds its share", first, StringComparison.Ordinal);
        Assert.Contains("(1 exports refused", first, StringComparison.Ordinal);

        time.Advance(SpoolRefusalLog.Interval);
        log.Refused("grpc", "The spool holds 9 bytes");

        Assert.Equal(2, logger.Messages.Count);
        Assert.Contains("(100 exports refused", logger.Messages[1], StringComparison.Ordinal);
        Assert.StartsWith("OTLP grpc export refused: The spool holds 9 bytes", logger.Messages[1], StringComparison.Ordinal);
    }
}
