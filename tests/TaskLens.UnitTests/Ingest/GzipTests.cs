using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Receivers;

namespace TaskLens.UnitTests.Ingest;

public sealed class GzipTests
{
    [Fact]
    public void TryDecompress_ValidGzip_ReturnsOriginalBytes()
    {
        var original = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();

        var status = Gzip.TryDecompress(Compress(original), 200_000, out var output, out var length);

        Assert.Equal(GzipStatus.Ok, status);
        Assert.Equal(original, output.AsSpan(0, length).ToArray());
        ArrayPool<byte>.Shared.Return(output);
    }

    [Fact]
    public void TryDecompress_ExactlyAtCap_IsAccepted()
    {
        var status = Gzip.TryDecompress(Compress(new byte[5000]), 5000, out var output, out var length);

        Assert.Equal((GzipStatus.Ok, 5000), (status, length));
        ArrayPool<byte>.Shared.Return(output);
    }

    [Fact]
    public void TryDecompress_BombPastCap_StopsWithTooLarge()
    {
        // 64 MiB of zeros compresses to about 64 KiB; the cap stops inflation at 1 MiB.
        var bomb = Compress(new byte[64 * 1024 * 1024]);

        var status = Gzip.TryDecompress(bomb, 1024 * 1024, out var output, out var length);

        Assert.Equal((GzipStatus.TooLarge, 0), (status, length));
        Assert.Empty(output);
    }

    [Fact]
    public void TryDecompress_NotGzip_IsInvalid()
    {
        Assert.Equal(GzipStatus.Invalid, Gzip.TryDecompress(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 100, out _, out _));
    }

    public static TheoryData<string, int> Truncations() => new()
    {
        { "trailer ISIZE missing", 4 },
        { "whole trailer missing", 8 },
        { "half the stream", -2 },
        { "header only", -1 },
    };

    [Theory]
    [MemberData(nameof(Truncations))]
    public void TryDecompress_TruncatedStream_IsInvalid(string label, int cut)
    {
        // The runtime's GZipStream reads these as shorter valid data; only the trailer check tells.
        var gzip = Compress(Sample);
        var kept = cut switch { -1 => 10, -2 => gzip.Length / 2, _ => gzip.Length - cut };

        var status = Gzip.TryDecompress(gzip.AsMemory(0, kept), 1_000_000, out var output, out var length);

        Assert.True((GzipStatus.Invalid, 0) == (status, length), label);
        Assert.Empty(output);
    }

    [Fact]
    public void TryDecompress_TrailingGarbage_IsInvalid()
    {
        Assert.Equal(GzipStatus.Invalid, Gzip.TryDecompress(new byte[][] { Compress(Sample), [1, 2, 3] }.SelectMany(b => b).ToArray(), 1_000_000, out _, out _));
    }

    [Fact]
    public void TryDecompress_EmptyInput_IsInvalid()
    {
        Assert.Equal(GzipStatus.Invalid, Gzip.TryDecompress(ReadOnlyMemory<byte>.Empty, 100, out _, out _));
    }

    [Fact]
    public void TryDecompress_ConcatenatedMembers_ReturnsAllOfThem()
    {
        // RFC 1952 §2.2: a gzip file is a series of members.
        byte[] first = [1, 2, 3], second = [4, 5];

        var status = Gzip.TryDecompress(Compress(first).Concat(Compress(second)).ToArray(), 100, out var output, out var length);

        Assert.Equal(GzipStatus.Ok, status);
        Assert.Equal([1, 2, 3, 4, 5], output.AsSpan(0, length).ToArray());
        ArrayPool<byte>.Shared.Return(output);
    }

    [Fact]
    public void TryDecompress_EmptyPayload_IsOkAndEmpty()
    {
        // What `gzip` writes for empty input, the smallest member there is (GZipStream writes nothing at all).
        byte[] empty = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        var status = Gzip.TryDecompress(empty, 100, out var output, out var length);

        Assert.Equal((GzipStatus.Ok, 0), (status, length));
        ArrayPool<byte>.Shared.Return(output);
    }

    [Fact]
    public void Crc32_CheckValue_MatchesTheStandard() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Property(MaxTest = 1000)]
    public bool TryDecompress_AnyBytes_NeverThrows(byte[] input)
    {
        var status = Gzip.TryDecompress(input ?? [], 10_000, out var output, out var length);
        if (status == GzipStatus.Ok)
        {
            ArrayPool<byte>.Shared.Return(output);
            return length <= 10_000;
        }

        return length == 0 && output.Length == 0;
    }

    [Property(MaxTest = 1000)]
    public Property TryDecompress_MutatedValidStream_NeverThrowsAndOkMeansOriginal()
    {
        var valid = Compress(Sample);
        return Prop.ForAll(
            Gen.Choose(0, valid.Length - 1).Zip(Gen.Choose(1, 255)).Zip(Gen.Choose(0, valid.Length)).ToArbitrary(),
            m =>
            {
                var ((position, xor), cut) = m;
                var mutated = (byte[])valid.Clone();
                mutated[position] ^= (byte)xor;
                return OkMeansOriginal(mutated) && OkMeansOriginal(valid[..cut]);
            });
    }

    private static readonly byte[] Sample = [.. Enumerable.Range(0, 3000).Select(i => (byte)((i * 31) ^ (i >> 3)))];

    private static bool OkMeansOriginal(byte[] input)
    {
        if (Gzip.TryDecompress(input, 1_000_000, out var output, out var length) != GzipStatus.Ok)
        {
            return length == 0;
        }

        // Header bytes (MTIME, XFL, OS) may change without changing the data; the data itself may not.
        var same = output.AsSpan(0, length).SequenceEqual(Sample);
        ArrayPool<byte>.Shared.Return(output);
        return same;
    }

    internal static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    [Fact]
    public void TryDecompress_WithABudgetThatRunsOut_StopsBeforeRenting_AndGivesEverythingBack()
    {
        var budget = new CountingBudget(limit: 1024 * 1024);
        var body = Compress(new byte[8 * 1024 * 1024]);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(body.Length - 4), 1000); // a trailer that lies: inflating must grow

        var status = Gzip.TryDecompress(body, 64 * 1024 * 1024, out var output, out var length, budget);

        Assert.Equal(GzipStatus.OverBudget, status);
        Assert.Equal((0, 0), (output.Length, length));
        Assert.Equal(0, budget.Held);
        Assert.InRange(budget.Peak, 1, 1024 * 1024);
    }

    [Fact]
    public void TryDecompress_WithinTheBudget_CountsTheBufferItReturns()
    {
        var budget = new CountingBudget(limit: 1024 * 1024);

        var status = Gzip.TryDecompress(Compress(Sample), 1_000_000, out var output, out var length, budget);

        Assert.Equal(GzipStatus.Ok, status);
        Assert.Equal(Sample.Length, length);
        Assert.Equal(output.Length, budget.Held);
        System.Buffers.ArrayPool<byte>.Shared.Return(output);
    }

    private sealed class CountingBudget(long limit) : IBufferBudget
    {
        public long Held { get; private set; }

        public long Peak { get; private set; }

        public bool TryGrow(long bytes)
        {
            if (Held + bytes > limit)
            {
                return false;
            }

            Held += bytes;
            Peak = Math.Max(Peak, Held);
            return true;
        }

        public void Shrink(long bytes) => Held -= bytes;
    }
}
