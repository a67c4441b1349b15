using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Receivers;
using TaskLens.Ingest.Spool;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Ingest.Spool;

/// <summary>
/// A spool read in blocks: records cut by a block's end, and records larger than a block, come back whole and
/// in order, with the same offsets as a read in one block; damage still costs only the damaged record.
/// </summary>
public sealed class SpoolBlockReadTests : IDisposable
{
    private const int SmallBlock = 1024;

    private readonly string _path = Path.Combine(Path.GetTempPath(), "tasklens-blocks-test-" + Guid.NewGuid().ToString("N")[..8] + ".seg");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Read_InSmallBlocks_SameRecordsAndOffsetsAsOneBlock()
    {
        var written = WriteSegment(40);

        var oneBlock = SpoolSegmentReader.Read(_path, 0, long.MaxValue, int.MaxValue);
        var blocks = SpoolSegmentReader.Read(_path, 0, long.MaxValue, int.MaxValue, blockBytes: SmallBlock);

        Assert.Equal(written, blocks.Records.Select(r => Describe(r.Record)));
        Assert.Equal(oneBlock.Records.Select(r => r.End), blocks.Records.Select(r => r.End));
        Assert.Equal(new FileInfo(_path).Length, blocks.End);
        Assert.True(blocks.AtLimit);
        Assert.Single(oneBlock.Blocks);
        Assert.True(blocks.Blocks.Count > 10, $"{blocks.Blocks.Count} blocks");
        oneBlock.ReturnBuffers();
        blocks.ReturnBuffers();
    }

    [Theory]
    [InlineData(7)]
    [InlineData(25)]
    public void Read_InSmallBlocks_WithBounds_StopsWhereOneBlockStops(int maxRecords)
    {
        WriteSegment(40);
        var bound = new FileInfo(_path).Length / 3;

        var oneBlock = SpoolSegmentReader.Read(_path, 0, long.MaxValue, maxRecords, bound);
        var blocks = SpoolSegmentReader.Read(_path, 0, long.MaxValue, maxRecords, bound, SmallBlock);
        var rest = SpoolSegmentReader.Read(_path, blocks.End, long.MaxValue, int.MaxValue, blockBytes: SmallBlock);

        Assert.Equal(oneBlock.Records.Select(r => (Describe(r.Record), r.End)), blocks.Records.Select(r => (Describe(r.Record), r.End)));
        Assert.Equal(oneBlock.End, blocks.End);
        Assert.Equal(40, blocks.Records.Count + rest.Records.Count);
        oneBlock.ReturnBuffers();
        blocks.ReturnBuffers();
        rest.ReturnBuffers();
    }

    [Fact]
    public void Read_InSmallBlocks_DamagedRecord_CostsOnlyItself()
    {
        var written = WriteSegment(20);
        var bytes = File.ReadAllBytes(_path);
        var sixth = Enumerable.Range(0, 5).Sum(i => Record(i).EncodedLength);
        bytes[sixth + Record(5).EncodedLength - 1] ^= 0xFF; // the sixth record's last byte: its checksum fails
        File.WriteAllBytes(_path, bytes);

        var read = SpoolSegmentReader.Read(_path, 0, long.MaxValue, int.MaxValue, blockBytes: SmallBlock);

        Assert.Equal(written.Where((_, i) => i != 5), read.Records.Select(r => Describe(r.Record)));
        Assert.Equal(Record(5).EncodedLength, read.SkippedBytes);
        read.ReturnBuffers();
    }

    [Fact]
    public void Read_WithBlockPool_RentsWholeBlocksFromItAndReusesThem()
    {
        const int block = 128 * 1024; // over IngestBufferPool's 64 KiB floor, so the given pool keeps it
        var written = WriteSegment(40);
        Assert.True(new FileInfo(_path).Length < block);
        var pool = new IngestBufferPool(1024 * 1024);

        var first = SpoolSegmentReader.Read(_path, 0, long.MaxValue, int.MaxValue, blockBytes: block, blockPool: pool);
        Assert.Equal(written, first.Records.Select(r => Describe(r.Record)));
        Assert.Same(pool, first.BlockPool);
        Assert.Equal(block, Assert.Single(first.Blocks).Length); // a whole block for a short read
        Assert.Equal(0, pool.RetainedBytes);
        first.ReturnBuffers();
        Assert.Equal(block, pool.RetainedBytes);

        var second = SpoolSegmentReader.Read(_path, 0, long.MaxValue, int.MaxValue, blockBytes: block, blockPool: pool);
        Assert.Same(first.Blocks[0], Assert.Single(second.Blocks));
        Assert.Equal(0, pool.RetainedBytes);
        Assert.Equal(written, second.Records.Select(r => Describe(r.Record)));
        second.ReturnBuffers();
        Assert.Equal(block, pool.RetainedBytes);
    }

    [Theory]
    [InlineData(0, 2, 36L << 20)] // the default bound: 12 MiB runs x 2, plus three blocks
    [InlineData(64L << 20, 4, 84L << 20)]
    public void ReadBlocksKept_DrainBound_BoundPlusABlockPerSliceHeld(long bufferBytes, int concurrency, long expected) =>
        Assert.Equal(expected, SpoolDrainer.ReadBlocksKept(new SpoolOptions { DrainBufferBytes = bufferBytes, DrainConcurrency = concurrency }));

    /// <summary>Records of 100 bytes to ~3 KB: several to a block, some larger than a block.</summary>
    private static SpoolRecord Record(int i) =>
        new(OtlpSignal.Traces, "tenant-" + (i % 3), "svc-" + i, false, Otlp.Request("svc", s => { Otlp.Span((byte)(i + 1), $"span-{i}")(s); s.StringField(3, new string('p', i * 397 % 3000)); }));

    private static string Describe(SpoolRecord record) => $"{record.Tenant}|{record.Service}|{Convert.ToHexString(record.Payload.Span)}";

    private List<string> WriteSegment(int count)
    {
        using var file = new FileStream(_path, FileMode.Create);
        var described = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var record = Record(i);
            var bytes = new byte[record.EncodedLength];
            record.WriteTo(bytes);
            file.Write(bytes);
            described.Add(Describe(record));
        }

        return described;
    }
}
