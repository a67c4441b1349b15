using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Receivers;
using TaskLens.Ingest.Spool;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Ingest.Spool;

/// <summary>
/// The spool on a real directory: records come back as written, a torn or damaged record costs only itself, the cap
/// refuses before writing, and the drainer replays an earlier run's segments into the sinks — retrying a failing
/// sink without losing or repeating a record — and deletes what it has stored.
/// </summary>
public sealed partial class SpoolTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-spool-test-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Append_ThenRead_ReturnsEveryRecordAsWritten()
    {
        var written = Enumerable.Range(0, 5).Select(i => Record(i)).ToList();
        await using (var spool = CreateSpool())
        {
            await Task.WhenAll(written.Select(spool.AppendAsync));
        }

        var read = ReadAll();

        Assert.Equal(0, read.SkippedBytes);
        Assert.Equal(written.Select(Describe).Order(), read.Records.Select(r => Describe(r.Record)).Order());
    }

    [Fact]
    public async Task TruncatedTail_CostsOnlyTheTornRecord()
    {
        await WriteAsync(Record(0), Record(1), Record(2));
        var path = SegmentFiles().Single();
        var length = new FileInfo(path).Length;
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(length - 7);
        }

        var read = ReadAll();

        Assert.Equal(["span-0", "span-1"], read.Records.Select(r => SpanName(r.Record)));
        Assert.Equal(Record(2).EncodedLength - 7, read.SkippedBytes);
    }

    [Fact]
    public async Task DamagedRecordInTheMiddle_IsSkipped_AndTheNextOneIsFound()
    {
        await WriteAsync(Record(0), Record(1), Record(2));
        var path = SegmentFiles().Single();
        var bytes = File.ReadAllBytes(path);
        bytes[Record(0).EncodedLength + 30] ^= 0xFF; // inside the second record's body: its checksum fails
        File.WriteAllBytes(path, bytes);

        var read = ReadAll();

        Assert.Equal(["span-0", "span-2"], read.Records.Select(r => SpanName(r.Record)));
        Assert.Equal(Record(1).EncodedLength, read.SkippedBytes);
    }

    [Fact]
    public async Task Read_ByteBoundEndingInsideARecord_ReadsThatRecordWhole_AndTheNextReadGoesOnAfterIt()
    {
        var written = Enumerable.Range(0, 5).Select(i => Record(i, padding: 1000)).ToList();
        await WriteAsync([.. written]);
        var path = SegmentFiles().Single();
        var bound = (2 * written[0].EncodedLength) + 10; // ends 10 bytes into the third record

        var first = SpoolSegmentReader.Read(path, 0, long.MaxValue, int.MaxValue, bound);
        var second = SpoolSegmentReader.Read(path, first.End, long.MaxValue, int.MaxValue, bound);
        var third = SpoolSegmentReader.Read(path, second.End, long.MaxValue, int.MaxValue, bound);

        Assert.Equal(["span-0", "span-1", "span-2"], first.Records.Select(r => SpanName(r.Record)));
        Assert.Equal(["span-3", "span-4"], second.Records.Select(r => SpanName(r.Record)));
        Assert.Equal(written.Select(Describe), first.Records.Concat(second.Records).Select(r => Describe(r.Record)));
        Assert.Equal(first.Records[^1].End, first.End);
        Assert.False(first.AtLimit);
        Assert.True(second.AtLimit);
        Assert.Empty(third.Records);
        Assert.Equal(0, first.SkippedBytes + second.SkippedBytes + third.SkippedBytes);
        first.ReturnBuffers();
        second.ReturnBuffers();
    }

    [Fact]
    public async Task Append_PastTheCap_IsRefusedBeforeWriting()
    {
        await using var spool = CreateSpool(maxBytes: 64 * 1024, segmentBytes: 64 * 1024);
        var big = Record(0, padding: 30_000);
        await spool.AppendAsync(big);
        await spool.AppendAsync(big);

        Assert.StartsWith("The spool holds", spool.RefusalFor("any", big.EncodedLength), StringComparison.Ordinal);
        Assert.Null(spool.RefusalFor("any", 64 * 1024 - (2L * big.EncodedLength)));
        await Assert.ThrowsAsync<SpoolFullException>(() => spool.AppendAsync(big));
        Assert.Equal(2L * big.EncodedLength, spool.TotalBytes);
    }

    [Fact]
    public async Task FloodingTenantOrService_IsHeldToItsShare_WhileOthersStillGetIn()
    {
        await using var spool = CreateSpool(maxBytes: 200_000, maxShare: 0.5);
        SpoolRecord Of(string tenant, string service) => Record(0, padding: 30_000) with { Tenant = tenant, Service = service };

        // Alone, a tenant may fill half the cap: three exports fit, the fourth does not.
        for (var i = 0; i < 3; i++)
        {
            await spool.AppendAsync(Of("flood", "crawler"));
        }

        var refused = await Assert.ThrowsAsync<SpoolFullException>(() => spool.AppendAsync(Of("flood", "crawler")));
        Assert.StartsWith("Tenant 'flood' holds its share of the spool", refused.Message, StringComparison.Ordinal);

        // Asked before an export is read, the spool gives the same answer and takes nothing.
        Assert.Equal(refused.Message, spool.RefusalFor("flood", Of("flood", "crawler").EncodedLength));
        Assert.Null(spool.RefusalFor("flood", 1));
        Assert.Null(spool.RefusalFor("quiet", Of("quiet", "checkout").EncodedLength));

        // Another tenant still gets in, and now each of the two may hold half.
        await spool.AppendAsync(Of("quiet", "checkout"));
        await spool.AppendAsync(Of("quiet", "checkout"));

        // Within one tenant, while three services have bytes waiting, each may hold a third of the cap (167 kB):
        // the sixth export of service a is refused while the tenant (211 kB of its 250 kB) still has room.
        // A directory of its own: a second live spool in the first one's directory would count that spool's active
        // segment (preallocated whole, so its zero tail too) as bytes waiting.
        await using var perService = CreateSpool(maxBytes: 500_000, maxShare: 0.5, directory: Path.Combine(_directory, "per-service"));
        await perService.AppendAsync(Of("t", "b"));
        await perService.AppendAsync(Of("t", "c"));
        for (var i = 0; i < 5; i++)
        {
            await perService.AppendAsync(Of("t", "a"));
        }

        var serviceRefused = await Assert.ThrowsAsync<SpoolFullException>(() => perService.AppendAsync(Of("t", "a")));
        Assert.StartsWith("Service 'a' holds its share of the spool", serviceRefused.Message, StringComparison.Ordinal);

        // What the drainer reports stored no longer counts.
        spool.ReportStored(Of("flood", "crawler"));
        await spool.AppendAsync(Of("flood", "crawler"));
    }

    [Fact]
    public async Task Segments_RollAtTheirSize()
    {
        await using (var spool = CreateSpool(segmentBytes: 64 * 1024))
        {
            for (var i = 0; i < 6; i++)
            {
                await spool.AppendAsync(Record(i, padding: 20_000));
            }
        }

        Assert.Equal(2, SegmentFiles().Count);
        Assert.Equal(6, ReadAll().Records.Count);
    }

    [Fact]
    public async Task Preallocated_SegmentsAreZeroFilledAhead_AndCutToTheirRecordsWhenSealed()
    {
        var written = Enumerable.Range(0, 10).Select(i => Record(i, padding: 20_000)).ToList(); // segments of 4, 4 and 2
        await using (var spool = CreateSpool(segmentBytes: 64 * 1024))
        {
            foreach (var record in written)
            {
                await WaitUntilAsync(() => spool.NextSegmentPrepared);
                await spool.AppendAsync(record);
            }

            // The active segment was prepared: full size, though its records fill only part of it.
            Assert.Equal(64 * 1024, new FileInfo(spool.SegmentPath(spool.Committed.Seq)).Length);
            Assert.InRange(spool.Committed.Offset, 1, (64 * 1024) - 1);
        }

        // Sealed (the active one at shutdown too), each segment holds its records and nothing after them.
        var read = ReadAll();
        Assert.Equal(0, read.SkippedBytes);
        Assert.Equal(written.Select(Describe), read.Records.Select(r => Describe(r.Record)));
        Assert.True(SegmentFiles().Count >= 3);
        Assert.All(SegmentFiles(), f => Assert.Equal(SpoolSegmentReader.Read(f, 0, long.MaxValue, int.MaxValue).End, new FileInfo(f).Length));
        Assert.Empty(Directory.EnumerateFiles(_directory, "*" + SegmentPreallocator.Extension));
    }

    [Fact]
    public async Task CrashLeftPreallocatedSegment_ItsZerosAreNotDamage_ButATornRecordBeforeThemIs()
    {
        var crashed = Path.Combine(_directory, "crashed.bin");
        await using (var spool = CreateSpool(segmentBytes: 256 * 1024))
        {
            await WaitUntilAsync(() => spool.NextSegmentPrepared);
            await spool.AppendAsync(Record(0));
            await spool.AppendAsync(Record(1));
            await spool.AppendAsync(Record(2));

            // What a crash now leaves on disk: the acknowledged records, synced, then the prepared zeros.
            File.Copy(spool.SegmentPath(spool.Committed.Seq), crashed);
        }

        var intact = SpoolSegmentReader.Read(crashed, 0, long.MaxValue, int.MaxValue);
        Assert.Equal(256 * 1024, new FileInfo(crashed).Length);
        Assert.Equal(["span-0", "span-1", "span-2"], intact.Records.Select(r => SpanName(r.Record)));
        Assert.Equal(0, intact.SkippedBytes);
        Assert.True(intact.AtLimit);

        // A crash mid-write of a fourth export: its header and half its body reached the disk, zeros follow.
        var torn = new byte[Record(3).EncodedLength];
        Record(3).WriteTo(torn);
        var tornBytes = torn.AsSpan(0, torn.Length / 2).LastIndexOfAnyExcept((byte)0) + 1;
        using (var file = new FileStream(crashed, FileMode.Open))
        {
            file.Position = intact.Records[^1].End;
            file.Write(torn, 0, torn.Length / 2);
        }

        var read = SpoolSegmentReader.Read(crashed, 0, long.MaxValue, int.MaxValue);
        Assert.Equal(["span-0", "span-1", "span-2"], read.Records.Select(r => SpanName(r.Record)));
        Assert.InRange(tornBytes, SpoolRecord.HeaderBytes, torn.Length / 2);
        Assert.Equal(tornBytes, read.SkippedBytes);
        Assert.True(read.AtLimit);
    }

    [Fact]
    public async Task Drainer_ReplaysACrashLeftPreallocatedSegment_AndDeletesIt()
    {
        var earlier = _directory + "-earlier";
        try
        {
            var options = Options.Create(new SpoolOptions { Path = earlier, SegmentBytes = 256 * 1024 });
            await using (var crashing = new DiskSpool(options, NullLogger<DiskSpool>.Instance))
            {
                await WaitUntilAsync(() => crashing.NextSegmentPrepared);
                await crashing.AppendAsync(Record(0));
                await crashing.AppendAsync(Record(1));

                // The earlier run's directory as SIGKILL would leave it: its unsealed, zero-tailed segment.
                Directory.CreateDirectory(_directory);
                File.Copy(crashing.SegmentPath(crashing.Committed.Seq), Path.Combine(_directory, Path.GetFileName(crashing.SegmentPath(1))));
            }
        }
        finally
        {
            Directory.Delete(earlier, recursive: true);
        }

        var sink = new RecordingSink();
        await using var spool = CreateSpool();
        var drainerOptions = Options.Create(new SpoolOptions { Path = _directory });
        var drainer = new SpoolDrainer(spool, sink, sink, sink, new SpoolDeadLetters(drainerOptions, NullLogger<SpoolDeadLetters>.Instance), drainerOptions, NullLogger<SpoolDrainer>.Instance);
        await drainer.StartAsync(CancellationToken.None);
        await spool.AppendAsync(Record(2));
        await WaitUntilAsync(() => drainer.IsCaughtUp && Snapshot(sink).Count >= 3);
        await drainer.StopAsync(CancellationToken.None);

        Assert.Equal(["span-0", "span-1", "span-2"], Snapshot(sink).Order());
        Assert.DoesNotContain(spool.SegmentPath(1), SegmentFiles());
        Assert.Equal(0, spool.PendingBytes);
    }

    [Fact]
    public async Task Drainer_ReplaysAnEarlierRun_RetriesAFailingSink_AndDeletesStoredSegments()
    {
        // An earlier run acknowledged three exports and crashed mid-write of a fourth.
        await WriteAsync(Record(0), Record(1), Record(2));
        var path = SegmentFiles().Single();
        await File.AppendAllBytesAsync(path, new byte[] { 0x54, 0x53, 0x50, 0x4C, 0xFF, 0x00 });

        var sink = new RecordingSink { FailuresLeft = 2 };
        await using var spool = CreateSpool();
        var options = Options.Create(new SpoolOptions { Path = _directory, MaxRetryDelay = TimeSpan.FromMilliseconds(20) });
        var drainer = new SpoolDrainer(spool, sink, sink, sink, new SpoolDeadLetters(options, NullLogger<SpoolDeadLetters>.Instance), options, NullLogger<SpoolDrainer>.Instance);
        await drainer.StartAsync(CancellationToken.None);
        await spool.AppendAsync(Record(3)); // and this run takes a new export
        await WaitUntilAsync(() => drainer.IsCaughtUp && sink.Spans.Count >= 4);
        await drainer.StopAsync(CancellationToken.None);

        Assert.Equal(["span-0", "span-1", "span-2", "span-3"], sink.Spans.Order());
        Assert.Equal(2, sink.Attempts - sink.Writes); // two failed attempts, retried with the same records
        Assert.DoesNotContain(path, SegmentFiles());
        Assert.Equal(0, spool.PendingBytes);
    }

    private static List<string> Snapshot(RecordingSink sink)
    {
        lock (sink.Spans)
        {
            return [.. sink.Spans];
        }
    }

    private DiskSpool CreateSpool(long maxBytes = 1024 * 1024, long segmentBytes = 1024 * 1024, double maxShare = 1, string? directory = null) =>
        new(Options.Create(new SpoolOptions { Path = directory ?? _directory, MaxBytes = maxBytes, SegmentBytes = segmentBytes, MaxShare = maxShare }), NullLogger<DiskSpool>.Instance);

    private async Task WriteAsync(params SpoolRecord[] records)
    {
        await using var spool = CreateSpool();
        foreach (var record in records)
        {
            await spool.AppendAsync(record);
        }
    }

    private List<string> SegmentFiles() => [.. Directory.EnumerateFiles(_directory, "*.seg").Order()];

    private SpoolSegmentReader.ReadResult ReadAll()
    {
        var records = new List<(SpoolRecord, long)>();
        long skipped = 0;
        foreach (var file in SegmentFiles())
        {
            var result = SpoolSegmentReader.Read(file, 0, long.MaxValue, int.MaxValue);
            records.AddRange(result.Records);
            skipped += result.SkippedBytes;
        }

        return new SpoolSegmentReader.ReadResult(records, 0, skipped, true, []);
    }

    private static SpoolRecord Record(int i, int padding = 0) =>
        new(OtlpSignal.Traces, "tenant-" + (i % 2), "svc", false, Otlp.Request("svc", s => { Otlp.Span((byte)(i + 1), $"span-{i}")(s); s.StringField(3, new string('p', padding)); }));

    private static string SpanName(SpoolRecord record)
    {
        var batch = new SpanBatch();
        SpanBatchDecoder.Decode(record.Payload.Span, batch);
        return batch.Spans[0].Name;
    }

    private static string Describe(SpoolRecord record) => $"{record.Signal.Name}|{record.Tenant}|{record.Json}|{Convert.ToHexString(record.Payload.Span)}";

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "timed out");
    }

    private sealed class RecordingSink : ISpanRowSink, ILogSink, IMetricSink
    {
        private readonly Lock _gate = new();

        public List<string> Spans { get; } = [];

        public int FailuresLeft { get; set; }

        public int Attempts { get; private set; }

        public int Writes { get; private set; }

        /// <summary>A batch with a span of this name waits for <see cref="Release"/> before it is stored.</summary>
        public string? HoldSpanNamed { get; init; }

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ISpanRowRun Begin(string tenant) => new SpanNameRun(StoreAsync);

        private async Task StoreAsync(IReadOnlyList<string> names)
        {
            if (HoldSpanNamed is not null && names.Contains(HoldSpanNamed))
            {
                await Release.Task;
            }

            lock (_gate)
            {
                Attempts++;
                if (FailuresLeft-- > 0)
                {
                    throw new SpanSinkUnavailableException("down");
                }

                Writes++;
                lock (Spans)
                {
                    Spans.AddRange(names);
                }
            }
        }

        public Task WriteAsync(LogBatch batch, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteAsync(MetricBatch batch, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
