using System.Buffers;
using System.IO.Compression;
using TaskLens.Ingest.Otlp;

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

    internal static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
