using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Spool;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Ingest.Spool;

/// <summary>
/// When the drainer checks spooled records' checksums again (issue 20): always for segments an earlier run left and
/// after any failed write; not for segments this process wrote whole, whose bytes up to the committed end are the
/// records it wrote.
/// </summary>
public sealed class SpoolReadVerificationTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-spool-verify-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Read_PayloadByteFlipped_SkippedWhenVerifying_ReturnedWhenNot()
    {
        var path = await WriteSegmentWithSecondRecordFlippedAsync();

        var verified = SpoolSegmentReader.Read(path, 0, long.MaxValue, int.MaxValue);
        var trusted = SpoolSegmentReader.Read(path, 0, long.MaxValue, int.MaxValue, verify: false);

        Assert.Equal(2, verified.Records.Count);
        Assert.True(verified.SkippedBytes > 0);
        Assert.Equal(3, trusted.Records.Count);
        Assert.Equal(0, trusted.SkippedBytes);
        verified.ReturnBuffers();
        trusted.ReturnBuffers();
    }

    [Fact]
    public async Task Read_WithoutVerify_RecordThatDoesNotParse_IsStillCheckedRecordByRecord()
    {
        await using (var spool = CreateSpool())
        {
            for (var i = 0; i < 3; i++)
            {
                await spool.AppendAsync(Record(i)).WaitAsync(Patience);
            }
        }

        var path = Path.Combine(_directory, 1.ToString("D16", System.Globalization.CultureInfo.InvariantCulture) + ".seg");
        var bytes = File.ReadAllBytes(path);
        bytes[Record(0).EncodedLength + SpoolRecord.HeaderBytes] = 9; // the second record's version: not one TaskLens writes, checksum broken
        File.WriteAllBytes(path, bytes);

        var read = SpoolSegmentReader.Read(path, 0, long.MaxValue, int.MaxValue, verify: false);

        Assert.Equal(2, read.Records.Count);
        Assert.Equal(Record(1).EncodedLength, read.SkippedBytes);
        Assert.Empty(read.Undecodable);
        read.ReturnBuffers();
    }

    [Fact]
    public async Task MustVerify_SegmentOfAnEarlierRun_True_SegmentThisProcessWrote_False()
    {
        await using (var earlier = CreateSpool())
        {
            await earlier.AppendAsync(Record(0)).WaitAsync(Patience);
        }

        await using var spool = CreateSpool();
        await spool.AppendAsync(Record(1)).WaitAsync(Patience);

        Assert.Equal([1L, 2L], spool.ListSegments());
        Assert.True(spool.MustVerify(1));
        Assert.False(spool.MustVerify(2));
    }

    [Fact]
    public async Task MustVerify_AfterAFailedWrite_TrueForEverySegment()
    {
        await using var spool = CreateSpool(segmentBytes: 64 * 1024);
        var blocked = Directory.CreateDirectory(spool.SegmentPath(2)); // the next segment's name is taken: creating it fails
        for (var i = 0; i < 4; i++)
        {
            await spool.AppendAsync(Record(i, padding: 20_000)).WaitAsync(Patience); // 80 kB: the first segment is full
        }

        Assert.False(spool.MustVerify(1));
        await Assert.ThrowsAsync<SpoolFullException>(() => spool.AppendAsync(Record(4)).WaitAsync(Patience));
        blocked.Delete();
        await spool.AppendAsync(Record(5)).WaitAsync(Patience);

        Assert.Equal([1L, 2L], spool.ListSegments());
        Assert.True(spool.MustVerify(1));
        Assert.True(spool.MustVerify(2));
    }

    private async Task<string> WriteSegmentWithSecondRecordFlippedAsync()
    {
        await using (var spool = CreateSpool())
        {
            for (var i = 0; i < 3; i++)
            {
                await spool.AppendAsync(Record(i, padding: 100)).WaitAsync(Patience);
            }
        }

        var path = Path.Combine(_directory, 1.ToString("D16", System.Globalization.CultureInfo.InvariantCulture) + ".seg");
        var bytes = File.ReadAllBytes(path);
        var secondEnd = Record(0, padding: 100).EncodedLength + Record(1, padding: 100).EncodedLength;
        bytes[secondEnd - 10] ^= 0x01; // inside the second record's padding: it still parses, only its checksum fails
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private DiskSpool CreateSpool(long segmentBytes = 1024 * 1024) =>
        new(Options.Create(new SpoolOptions { Path = _directory, SegmentBytes = segmentBytes, MaxShare = 1 }), NullLogger<DiskSpool>.Instance);

    private static SpoolRecord Record(int i, int padding = 0) =>
        new(OtlpSignal.Traces, "tenant-0", "svc", false, Otlp.Request("svc", s => { Otlp.Span((byte)(i + 1), $"span-{i}")(s); s.StringField(3, new string('p', padding)); }));
}
