using System.Buffers;
using System.IO.Compression;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Inflates gzip bodies (gRPC <c>grpc-encoding: gzip</c>, HTTP <c>Content-Encoding: gzip</c>) into a pooled array,
/// stopping as soon as the output passes the cap, so a small "zip bomb" costs at most the cap in memory.
/// </summary>
public static class Gzip
{
    /// <summary>On <see cref="GzipStatus.Ok"/>, <paramref name="output"/> is rented from the shared pool: return it.</summary>
    public static GzipStatus TryDecompress(ReadOnlyMemory<byte> input, int maxBytes, out byte[] output, out int length)
    {
        output = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(input.Length * 4L, 4096), maxBytes + 1L));
        length = 0;
        try
        {
            using var source = new ReadOnlyMemoryStream(input);
            using var gzip = new GZipStream(source, CompressionMode.Decompress);
            while (true)
            {
                if (length == output.Length)
                {
                    if (length > maxBytes)
                    {
                        break;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)output.Length * 2, maxBytes + 1L));
                    output.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(output);
                    output = larger;
                }

                var read = gzip.Read(output, length, Math.Min(output.Length, maxBytes + 1) - length);
                if (read == 0)
                {
                    return GzipStatus.Ok;
                }

                length += read;
                if (length > maxBytes)
                {
                    break;
                }
            }
        }
        catch (InvalidDataException)
        {
            ArrayPool<byte>.Shared.Return(output);
            output = [];
            length = 0;
            return GzipStatus.Invalid;
        }

        ArrayPool<byte>.Shared.Return(output);
        output = [];
        length = 0;
        return GzipStatus.TooLarge;
    }

    /// <summary>A read-only stream over memory, so inflating needs no copy of the compressed input.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => memory.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
