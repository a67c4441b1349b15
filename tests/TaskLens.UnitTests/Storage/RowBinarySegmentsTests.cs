using FsCheck.Xunit;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.UnitTests.Storage;

/// <summary>An insert body in segments writes exactly the bytes the contiguous writer does, and gives its segments back.</summary>
public sealed class RowBinarySegmentsTests
{
    private const int Segment = RowBinaryBufferPool.MinSegmentBytes;

    [Fact]
    public async Task CopyToAsync_ValuesAcrossSegments_SameBytesAsContiguous()
    {
        var pool = new RowBinaryBufferPool(Segment, retainBytes: 64 * Segment);
        using var contiguous = new RowBinaryWriter(1);
        using var segmented = new RowBinaryWriter(pool);
        foreach (var rows in new[] { contiguous, segmented })
        {
            for (var i = 0; i < 40; i++)
            {
                rows.WriteUInt64((ulong)i * 0x0102030405060708);
                rows.WriteString("short ü " + i);
                rows.WriteString(new string('€', 100 + i)); // 3 bytes a char: the long path, split mid-segment
                rows.WriteString("\ud83d\ude00 surrogate pairs and a lone \ud800 high one " + new string('x', 300));
                rows.WriteRaw(Enumerable.Range(0, 700).Select(b => (byte)(b + i)).ToArray());
                rows.WriteString(new byte[] { 1, 2, 3 });
                rows.WriteFixedString([9, 9], 16);
                rows.WriteFixedString([7], 600);
                rows.WriteVarUInt(ulong.MaxValue);
            }
        }

        Assert.Equal(contiguous.Length, segmented.Length);
        Assert.Equal(contiguous.WrittenMemory.ToArray(), await BytesOf(segmented));
    }

    [Fact]
    public void WrittenMemory_WithinOneSegment_IsTheBytes_AfterSeveral_Throws()
    {
        using var rows = new RowBinaryWriter(new RowBinaryBufferPool(Segment));
        rows.WriteUInt32(0x01020304);
        Assert.Equal([4, 3, 2, 1], rows.WrittenMemory.ToArray());

        rows.WriteRaw(new byte[Segment]);
        Assert.Throws<InvalidOperationException>(() => rows.WrittenMemory);
    }

    [Fact]
    public void Dispose_ReturnsSegments_KeepingAtMostTheBound()
    {
        var pool = new RowBinaryBufferPool(Segment, retainBytes: 3 * Segment);
        using (var rows = new RowBinaryWriter(pool))
        {
            rows.WriteRaw(new byte[10 * Segment]);
            Assert.Equal(0, pool.RetainedBytes);
        }

        Assert.Equal(3 * Segment, pool.RetainedBytes);
        using var again = new RowBinaryWriter(pool);
        Assert.Equal(2 * Segment, pool.RetainedBytes);
    }

    [Fact]
    public void Rent_EmptyPool_MakesTheSegmentOutsideTheYoungGenerations()
    {
        // A fresh segment lives as long as its insert: made in gen 0 it would be copied by the blocking collections it
        // survives (the pinned object heap is collected with gen 2 only, so the GC reports it there).
        var pool = new RowBinaryBufferPool(Segment, retainBytes: 0);
        var segment = pool.Rent();

        Assert.Equal(Segment, segment.Length);
        Assert.Equal(GC.MaxGeneration, GC.GetGeneration(segment));
    }

    [Fact]
    public async Task Reset_ReturnsAllButOneSegment_AndStartsOver()
    {
        var pool = new RowBinaryBufferPool(Segment, retainBytes: 100 * Segment);
        using var rows = new RowBinaryWriter(pool);
        rows.WriteRaw(new byte[5 * Segment]);
        rows.Reset();
        rows.WriteUInt8(9);

        Assert.Equal(4 * Segment, pool.RetainedBytes);
        Assert.Equal([9], await BytesOf(rows));
        Assert.Equal([9], rows.WrittenMemory.ToArray());
    }

    [Fact]
    public void RetainBytes_Lowered_DropsTheSurplus_AndOtherSizesAreNotKept()
    {
        var pool = new RowBinaryBufferPool(Segment, retainBytes: 10 * Segment);
        var segments = Enumerable.Range(0, 6).Select(_ => pool.Rent()).ToList();
        segments.ForEach(pool.Return);
        Assert.Equal(6 * Segment, pool.RetainedBytes);

        pool.RetainBytes = 2 * Segment;
        Assert.Equal(2 * Segment, pool.RetainedBytes);
        pool.Return(new byte[Segment * 2]);
        Assert.Equal(2 * Segment, pool.RetainedBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RowBinaryBufferPool(Segment - 1));
    }

    /// <summary>Any strings, UTF-8 strings, lengths and byte runs, in any order: the segmented body is the contiguous one, byte for byte.</summary>
    [Property(MaxTest = 300)]
    public bool AnyWrites_SegmentedEqualsContiguous(string?[] strings, byte[][] raws)
    {
        using var contiguous = new RowBinaryWriter(1);
        using var segmented = new RowBinaryWriter(new RowBinaryBufferPool(Segment, retainBytes: 0));
        for (var i = 0; i < Math.Max(strings.Length, raws.Length); i++)
        {
            foreach (var rows in new[] { contiguous, segmented })
            {
                if (i < strings.Length)
                {
                    // Repeated so that long strings (the counted path) are drawn as well as short ones.
                    rows.WriteString(string.Concat(Enumerable.Repeat(strings[i] ?? string.Empty, 1 + (i % 5 * 10))));
                }

                if (i < raws.Length && raws[i] is { } raw)
                {
                    rows.WriteString(raw);
                    rows.WriteVarUInt((ulong)raw.Length << (i % 4 * 7));
                    rows.WriteRaw(raw);
                    rows.WriteFixedString(raw, raw.Length + (i % 3 * 200));
                }
            }
        }

        return contiguous.Length == segmented.Length && contiguous.WrittenMemory.Span.SequenceEqual(BytesOf(segmented).GetAwaiter().GetResult());
    }

    private static async Task<byte[]> BytesOf(RowBinaryWriter rows)
    {
        using var stream = new MemoryStream();
        await rows.CopyToAsync(stream, CancellationToken.None);
        return stream.ToArray();
    }
}
