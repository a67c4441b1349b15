using System.Buffers.Binary;
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
/// Acknowledged data must never vanish (issue 14): wide length fields, records that cannot be read back or that
/// ClickHouse refuses for good go to the dead letters, a segment that cannot be created and a checkpoint that cannot be
/// written are survived — each of these failed on the code before the fix.
/// </summary>
public sealed class SpoolFaultTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-spool-fault-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void WriteTo_ServiceNameOf70000Bytes_ReadsBackWhole()
    {
        var service = new string('s', 70_000);
        var record = Record(1) with { Service = service };
        var bytes = new byte[record.EncodedLength];

        record.WriteTo(bytes);

        Assert.True(SpoolRecord.TryParseBody(bytes.AsMemory(SpoolRecord.HeaderBytes), out var read));
        Assert.Equal(service, read.Service);
        Assert.Equal(record.Payload.ToArray(), read.Payload.ToArray());
    }

    [Fact]
    public void TryParseBody_Version1RecordOfAnEarlierRun_IsStillRead()
    {
        var payload = new byte[] { 1, 2, 3 };
        var body = new List<byte> { 1, 0, 0, 0 };
        body.AddRange(BitConverter.GetBytes((ushort)2));
        body.AddRange("t1"u8.ToArray());
        body.AddRange(BitConverter.GetBytes((ushort)3));
        body.AddRange("svc"u8.ToArray());
        body.AddRange(payload);

        Assert.True(SpoolRecord.TryParseBody(body.ToArray(), out var read));
        Assert.Equal(("t1", "svc", OtlpSignal.Traces), (read.Tenant, read.Service, read.Signal));
        Assert.Equal(payload, read.Payload.ToArray());
    }

    [Fact]
    public async Task Read_IntactRecordOfAnUnknownVersion_IsReturnedAsUndecodable_NotSkipped()
    {
        await WriteAsync(Record(0), Record(1));
        var path = Directory.EnumerateFiles(_directory, "*.seg").Single();
        RewriteAsUnknownVersion(path, Record(0).EncodedLength);

        var read = SpoolSegmentReader.Read(path, 0, long.MaxValue, int.MaxValue);

        Assert.Equal(0, read.SkippedBytes);
        Assert.Equal(["span-0"], read.Records.Select(r => SpanName(r.Record)));
        Assert.Equal(Record(1).EncodedLength, Assert.Single(read.Undecodable).Length);
        read.ReturnBuffers();
    }

    [Fact]
    public async Task Drainer_RecordItCannotRead_GoesToTheDeadLetters_AndTheRestIsStored()
    {
        await WriteAsync(Record(0), Record(1), Record(2));
        var path = Directory.EnumerateFiles(_directory, "*.seg").Single();
        RewriteAsUnknownVersion(path, Record(0).EncodedLength);
        var sink = new RecordingSink();

        await using var spool = CreateSpool();
        var (drainer, deadLetters) = CreateDrainer(spool, sink);
        await drainer.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => drainer.IsCaughtUp && sink.Spans.Count == 2);
        await drainer.StopAsync(CancellationToken.None);

        Assert.Equal(["span-0", "span-2"], sink.Spans.Order());
        var letter = Assert.Single(deadLetters.List(null, 10));
        Assert.Equal("undecodable", letter.Kind);
        Assert.Equal(Record(1).EncodedLength, new FileInfo(Path.Combine(deadLetters.Directory, letter.Id + ".rec")).Length);
    }

    [Fact]
    public async Task Drainer_PayloadThatNoLongerDecodes_GoesToTheDeadLetters_InsteadOfBeingStoredAsNothing()
    {
        var garbage = new SpoolRecord(OtlpSignal.Traces, "tenant-0", "svc", false, new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F });
        await WriteAsync(Record(0), garbage, Record(2));
        var sink = new RecordingSink();

        await using var spool = CreateSpool();
        var (drainer, deadLetters) = CreateDrainer(spool, sink);
        await drainer.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => drainer.IsCaughtUp && sink.Spans.Count == 2);
        await drainer.StopAsync(CancellationToken.None);

        Assert.Equal(["span-0", "span-2"], sink.Spans.Order());
        var letter = Assert.Single(deadLetters.List(null, 10));
        Assert.Equal(("undecodable", "tenant-0"), (letter.Kind, letter.Tenant));
        Assert.StartsWith("The spooled export no longer decodes", letter.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drainer_RunRefusedForGood_DeadLettersOnlyThePoisonExport_AndStoresTheOthers()
    {
        await WriteAsync(Record(0), Record(1), Record(2, name: "poison"), Record(3), Record(4));
        var sink = new RecordingSink { RefuseSpanNamed = "poison" };

        await using var spool = CreateSpool();
        var (drainer, deadLetters) = CreateDrainer(spool, sink);
        await drainer.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => drainer.IsCaughtUp && sink.Spans.Count == 4);
        await spool.AppendAsync(Record(5)); // and it keeps draining
        await WaitUntilAsync(() => drainer.IsCaughtUp && sink.Spans.Count == 5);
        await drainer.StopAsync(CancellationToken.None);

        Assert.Equal(["span-0", "span-1", "span-3", "span-4", "span-5"], sink.Spans.Order());
        var letter = Assert.Single(deadLetters.List(null, 10));
        Assert.Equal(("rejected", "traces", "tenant-0"), (letter.Kind, letter.Signal, letter.Tenant));
        Assert.Equal("ClickHouse error 53: poison", letter.Error);
        Assert.Equal(0, spool.PendingBytes);
    }

    [Fact]
    public async Task Replay_SpoolAtItsCap_IsRefusedByTheReceiversRuleBeforeTheRecordIsRead_AndTheDeadLetterIsKept()
    {
        await WriteAsync(Record(0, name: "poison"));
        await using var spool = CreateSpool(maxBytes: 4096);
        var (drainer, deadLetters) = CreateDrainer(spool, new RecordingSink { RefuseSpanNamed = "poison" });
        await drainer.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => drainer.IsCaughtUp && deadLetters.List(null, 10).Count == 1);
        await drainer.StopAsync(CancellationToken.None);
        var letter = Assert.Single(deadLetters.List(null, 10));
        try
        {
            while (spool.RefusalFor(letter.Tenant, letter.Bytes) is null)
            {
                await spool.AppendAsync(Record(1));
            }
        }
        catch (SpoolFullException)
        {
            // Within a record of the cap: full enough.
        }

        // Were the record read first, this empty one would be answered "cannot be read back"; the spool's refusal
        // (the receivers' DiskSpool.RefusalFor) comes before it, so the client is told to retry.
        await File.WriteAllBytesAsync(deadLetters.RecordPath(letter.Id), []);
        var monitor = new SpoolMonitor(spool, drainer, deadLetters);
        var refused = await Assert.ThrowsAsync<SpoolFullException>(() => monitor.ReplayAsync(letter.Id));

        Assert.Contains("at its cap of 4096", refused.Message, StringComparison.Ordinal);
        Assert.Equal(letter, deadLetters.Find(letter.Id));
    }

    [Fact]
    public async Task Append_WhenTheNextSegmentCannotBeCreated_IsRefused_AndRecoversOnceItCan()
    {
        await using var spool = CreateSpool(segmentBytes: 64 * 1024);
        var blocked = Directory.CreateDirectory(spool.SegmentPath(2)); // the next segment's name is taken: creating it fails
        for (var i = 0; i < 4; i++)
        {
            await spool.AppendAsync(Record(i, padding: 20_000)).WaitAsync(Patience); // 80 kB: the first segment is full
        }

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<SpoolFullException>(() => spool.AppendAsync(Record(10 + i, padding: 20_000)).WaitAsync(Patience));
        }

        Assert.NotNull(spool.WriteFailure);
        blocked.Delete();
        await spool.AppendAsync(Record(20, padding: 20_000)).WaitAsync(Patience);

        Assert.Null(spool.WriteFailure);
        var names = Directory.EnumerateFiles(_directory, "*.seg").Order()
            .SelectMany(f => SpoolSegmentReader.Read(f, 0, long.MaxValue, int.MaxValue).Records)
            .Select(r => SpanName(r.Record));
        Assert.Equal(["span-0", "span-1", "span-2", "span-3", "span-20"], names);
    }

    [Fact]
    public async Task Drainer_CheckpointCannotBeWritten_KeepsDraining_ReportsIt_AndRecovers()
    {
        Directory.CreateDirectory(_directory);
        var blocked = Directory.CreateDirectory(Path.Combine(_directory, "checkpoint.tmp")); // writing the checkpoint fails
        var sink = new RecordingSink();
        await using var spool = CreateSpool();
        var (drainer, _) = CreateDrainer(spool, sink);
        await drainer.StartAsync(CancellationToken.None);

        await spool.AppendAsync(Record(0));
        // The checkpoint is written after the batch is stored, so its fault can come a moment after the span: wait for both.
        await WaitUntilAsync(() => drainer.IsCaughtUp && sink.Spans.Count == 1
            && drainer.Faults.Any(f => f.Contains("checkpoint", StringComparison.Ordinal)));
        await spool.AppendAsync(Record(1));
        await WaitUntilAsync(() => drainer.IsCaughtUp && sink.Spans.Count == 2);
        Assert.False(drainer.ExecuteTask!.IsCompleted);

        blocked.Delete();
        await spool.AppendAsync(Record(2));
        await WaitUntilAsync(() => drainer.IsCaughtUp && sink.Spans.Count == 3 && drainer.Faults.Count == 0);
        await drainer.StopAsync(CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(_directory, "checkpoint")));
    }

    [Fact]
    public void DirectorySync_SyncsADirectory_AndSaysWhenItCannot()
    {
        Directory.CreateDirectory(_directory);

        DirectorySync.Sync(_directory);

        Assert.Throws<IOException>(() => DirectorySync.Sync(Path.Combine(_directory, "missing")));
    }

    private DiskSpool CreateSpool(long segmentBytes = 1024 * 1024, long maxBytes = 4L * 1024 * 1024 * 1024) =>
        new(Options.Create(new SpoolOptions { Path = _directory, SegmentBytes = segmentBytes, MaxShare = 1, MaxBytes = maxBytes }), NullLogger<DiskSpool>.Instance);

    private (SpoolDrainer Drainer, SpoolDeadLetters DeadLetters) CreateDrainer(DiskSpool spool, RecordingSink sink)
    {
        var options = Options.Create(new SpoolOptions { Path = _directory, MaxRetryDelay = TimeSpan.FromMilliseconds(20) });
        var deadLetters = new SpoolDeadLetters(options, NullLogger<SpoolDeadLetters>.Instance);
        return (new SpoolDrainer(spool, sink, sink, sink, deadLetters, options, NullLogger<SpoolDrainer>.Instance), deadLetters);
    }

    private async Task WriteAsync(params SpoolRecord[] records)
    {
        await using var spool = CreateSpool();
        foreach (var record in records)
        {
            await spool.AppendAsync(record);
        }
    }

    /// <summary>Gives the record at <paramref name="offset"/> a version byte no TaskLens writes, with a checksum that holds.</summary>
    private static void RewriteAsUnknownVersion(string path, int offset)
    {
        var bytes = File.ReadAllBytes(path);
        var bodyLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4));
        var body = bytes.AsSpan(offset + SpoolRecord.HeaderBytes, bodyLength);
        body[0] = 9;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset + 8), Crc32.Compute(body));
        File.WriteAllBytes(path, bytes);
    }

    private static SpoolRecord Record(int i, int padding = 0, string? name = null) =>
        new(OtlpSignal.Traces, "tenant-0", "svc", false, Otlp.Request("svc", s => { Otlp.Span((byte)(i + 1), name ?? $"span-{i}")(s); s.StringField(3, new string('p', padding)); }));

    private static string SpanName(SpoolRecord record)
    {
        var batch = new SpanBatch();
        SpanBatchDecoder.Decode(record.Payload.Span, batch);
        return batch.Spans[0].Name;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "timed out");
    }

    private sealed class RecordingSink : ISpanRowSink, ILogSink, IMetricSink
    {
        private readonly Lock _gate = new();

        public List<string> Spans { get; } = [];

        public string? RefuseSpanNamed { get; init; }

        public ISpanRowRun Begin(string tenant) => new SpanNameRun(Store);

        private Task Store(IReadOnlyList<string> names)
        {
            lock (_gate)
            {
                foreach (var name in names)
                {
                    if (name == RefuseSpanNamed)
                    {
                        throw new StoreRejectedException("ClickHouse error 53: " + name);
                    }
                }

                Spans.AddRange(names);
            }

            return Task.CompletedTask;
        }

        public Task WriteAsync(LogBatch batch, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteAsync(MetricBatch batch, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
