using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskLens.Ingest.Spool;

namespace TaskLens.UnitTests.Ingest.Spool;

/// <summary>The drainer's scheduling: inserts in flight, reads within the byte bound, and how runs are cut from reads.</summary>
public sealed partial class SpoolTests
{
    [Fact]
    public async Task Drainer_WithInsertsInFlight_StoresLaterRunsButCheckpointsOnlyPastStoredOnes()
    {
        // Records alternate tenants, so each is a run of its own; the first run's insert hangs until released.
        await WriteAsync(Record(0), Record(1), Record(2), Record(3));
        var sink = new RecordingSink { HoldSpanNamed = "span-0" };
        await using var spool = CreateSpool();
        var options = Options.Create(new SpoolOptions { Path = _directory, DrainConcurrency = 2 });
        var drainer = new SpoolDrainer(spool, sink, sink, sink, new SpoolDeadLetters(options, NullLogger<SpoolDeadLetters>.Instance), options, NullLogger<SpoolDrainer>.Instance);
        await drainer.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => Snapshot(sink).Contains("span-1"));

        // The second run is stored beside the hanging first one, but the checkpoint does not pass the first.
        var checkpoint = Path.Combine(_directory, "checkpoint");
        Assert.DoesNotContain("span-0", Snapshot(sink));
        Assert.True(!File.Exists(checkpoint) || File.ReadAllText(checkpoint).EndsWith(" 0", StringComparison.Ordinal), File.Exists(checkpoint) ? File.ReadAllText(checkpoint) : "");
        Assert.False(drainer.IsCaughtUp);

        sink.Release.SetResult();
        await WaitUntilAsync(() => drainer.IsCaughtUp);
        await drainer.StopAsync(CancellationToken.None);
        Assert.Equal(["span-0", "span-1", "span-2", "span-3"], Snapshot(sink).Order());
        Assert.Equal(0, spool.PendingBytes);
    }

    [Fact]
    public async Task Drainer_ReadsAheadWithinItsByteBound_KeepsInsertsOverlappingAcrossReads()
    {
        // Records of ~30 KB, tenants alternating (a run each): a 64 KiB read holds two, the bound two reads.
        await WriteAsync([.. Enumerable.Range(0, 8).Select(i => Record(i, padding: 30_000))]);
        var sink = new RecordingSink { HoldSpanNamed = "span-2" };
        await using var spool = CreateSpool();
        var options = Options.Create(new SpoolOptions { Path = _directory, DrainConcurrency = 2, DrainMaxBytes = 64 * 1024 });
        var drainer = new SpoolDrainer(spool, sink, sink, sink, new SpoolDeadLetters(options, NullLogger<SpoolDeadLetters>.Instance), options, NullLogger<SpoolDrainer>.Instance);
        await drainer.StartAsync(CancellationToken.None);

        // span-2 opens the second read and hangs; span-3, of the same read, is stored beside it once the first read is in.
        await WaitUntilAsync(() => Snapshot(sink).Contains("span-3"));
        Assert.Equal(["span-0", "span-1", "span-3"], Snapshot(sink).Order());

        // Within the bound, plus the one record a read may take whole past its byte bound, for each of the two reads.
        var record = Record(0, padding: 30_000).EncodedLength;
        Assert.InRange(drainer.PeakBytesHeld, 1, (2 * 64 * 1024) + (2 * record));

        sink.Release.SetResult();
        await WaitUntilAsync(() => drainer.IsCaughtUp);
        await drainer.StopAsync(CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"span-{i}"), Snapshot(sink).Order(StringComparer.Ordinal));
        Assert.InRange(drainer.PeakBytesHeld, 1, (2 * 64 * 1024) + (2 * record));
        Assert.Equal(0, spool.PendingBytes);
    }

    [Fact]
    public async Task Drainer_WithAnInsertInFlight_StartsASecondOnlyWithAFullReadWaiting()
    {
        // Records of ~30 KB, tenants alternating (a run each); a read is 64 KiB. span-0's insert hangs until released.
        await WriteAsync(Record(0, padding: 30_000));
        var sink = new RecordingSink { HoldSpanNamed = "span-0" };
        await using var spool = CreateSpool();
        var options = Options.Create(new SpoolOptions { Path = _directory, DrainConcurrency = 2, DrainMaxBytes = 64 * 1024 });
        var drainer = new SpoolDrainer(spool, sink, sink, sink, new SpoolDeadLetters(options, NullLogger<SpoolDeadLetters>.Instance), options, NullLogger<SpoolDrainer>.Instance);
        await drainer.StartAsync(CancellationToken.None);

        // Half a read's worth arrives while span-0 is in flight: no second insert is started for it.
        await spool.AppendAsync(Record(1, padding: 30_000));
        await Task.Delay(300);
        Assert.Empty(Snapshot(sink));

        // A full read's worth waiting: the second insert starts beside the hanging first one.
        await spool.AppendAsync(Record(2, padding: 30_000));
        await spool.AppendAsync(Record(3, padding: 30_000));
        await WaitUntilAsync(() => Snapshot(sink).Contains("span-1"));
        Assert.DoesNotContain("span-0", Snapshot(sink));

        sink.Release.SetResult();
        await WaitUntilAsync(() => drainer.IsCaughtUp && Snapshot(sink).Count == 4);
        await drainer.StopAsync(CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"span-{i}"), Snapshot(sink).Order(StringComparer.Ordinal));
        Assert.Equal(0, spool.PendingBytes);
    }

    [Fact]
    public async Task Drainer_ReadEndingInsideARecord_InsertsThatRecordWithItsRun_NotAlone()
    {
        // Three ~30 KB records of one tenant: a 64 KiB read ends inside the third and takes it whole.
        await WriteAsync(Record(0, padding: 30_000), Record(2, padding: 30_000), Record(4, padding: 30_000));
        var sink = new RecordingSink();
        await using var spool = CreateSpool();
        var options = Options.Create(new SpoolOptions { Path = _directory, DrainConcurrency = 2, DrainMaxBytes = 64 * 1024 });
        var drainer = new SpoolDrainer(spool, sink, sink, sink, new SpoolDeadLetters(options, NullLogger<SpoolDeadLetters>.Instance), options, NullLogger<SpoolDrainer>.Instance);
        await drainer.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => drainer.IsCaughtUp && Snapshot(sink).Count == 3);
        await drainer.StopAsync(CancellationToken.None);

        Assert.Equal(["span-0", "span-2", "span-4"], Snapshot(sink));
        Assert.Equal(1, sink.Writes);
    }

    [Fact]
    public async Task Drainer_BoundOfOneRead_StillStoresEverythingInOrder()
    {
        await WriteAsync([.. Enumerable.Range(0, 6).Select(i => Record(i, padding: 30_000))]);
        var record = Record(0, padding: 30_000).EncodedLength;
        var sink = new RecordingSink();
        await using var spool = CreateSpool();
        var options = Options.Create(new SpoolOptions { Path = _directory, DrainConcurrency = 2, DrainMaxBytes = 64 * 1024, DrainBufferBytes = 64 * 1024 });
        var drainer = new SpoolDrainer(spool, sink, sink, sink, new SpoolDeadLetters(options, NullLogger<SpoolDeadLetters>.Instance), options, NullLogger<SpoolDrainer>.Instance);
        await drainer.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => drainer.IsCaughtUp && Snapshot(sink).Count == 6);
        await drainer.StopAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"span-{i}"), Snapshot(sink).Order(StringComparer.Ordinal));
        Assert.InRange(drainer.PeakBytesHeld, 1, (64 * 1024) + record);
        Assert.Equal(0, spool.PendingBytes);
    }
}
