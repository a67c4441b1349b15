using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using TaskLens.Ingest.Receivers;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Inflates gzip bodies (gRPC <c>grpc-encoding: gzip</c>, HTTP <c>Content-Encoding: gzip</c>) into a pooled array,
/// stopping as soon as the output passes the cap, so a small "zip bomb" costs at most the cap in memory.
/// The runtime's GZipStream ends quietly at the end of its input even inside a member, so a truncated body
/// would pass as a shorter valid one; the final member's trailer (CRC-32 and ISIZE, RFC 1952 §2.3.1) is
/// therefore checked here against the bytes it produced.
/// </summary>
public static class Gzip
{
    /// <summary>
    /// On <see cref="GzipStatus.Ok"/>, <paramref name="output"/> is rented from the shared pool: return it. With a
    /// <paramref name="budget"/>, every output buffer is asked for before it is rented (and given back when returned),
    /// so many bodies inflating at once cannot together pass it: <see cref="GzipStatus.OverBudget"/> then.
    /// </summary>
    public static GzipStatus TryDecompress(ReadOnlyMemory<byte> input, int maxBytes, out byte[] output, out int length, IBufferBudget? budget = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        length = 0;

        // The trailer's ISIZE (RFC 1952 §2.3.1) is the inflated size of the last member: an honest body is inflated into
        // one buffer of its size. A body that lies only makes the buffer grow from there, never past the cap.
        long guess = input.Length >= 20 ? BinaryPrimitives.ReadUInt32LittleEndian(input.Span[^4..]) : input.Length * 4L;
        var first = (int)Math.Min(Math.Max(guess, 4096), Math.Max(maxBytes, 1));
        if (budget?.TryGrow(IBufferBudget.RentedSize(first)) == false)
        {
            output = [];
            return GzipStatus.OverBudget;
        }

        output = IngestBufferPool.Shared.Rent(first);
        Span<byte> probe = stackalloc byte[1];
        try
        {
            using var source = new ReadOnlyMemoryStream(input);
            using var gzip = new GZipStream(source, CompressionMode.Decompress);
            while (true)
            {
                var capacity = Math.Min(output.Length, maxBytes);
                if (length == capacity)
                {
                    // Full: one more byte tells the end of the data from more of it, without a buffer twice the size.
                    if (gzip.Read(probe) == 0)
                    {
                        break;
                    }

                    if (length == maxBytes)
                    {
                        Give(ref output, ref length, budget);
                        return GzipStatus.TooLarge;
                    }

                    var size = (int)Math.Min((long)output.Length * 2, maxBytes);
                    if (budget?.TryGrow(IBufferBudget.RentedSize(size)) == false)
                    {
                        Give(ref output, ref length, budget);
                        return GzipStatus.OverBudget;
                    }

                    var larger = IngestBufferPool.Shared.Rent(size);
                    output.AsSpan(0, length).CopyTo(larger);
                    IngestBufferPool.Shared.Return(output);
                    budget?.Shrink(output.Length);
                    output = larger;
                    output[length++] = probe[0];
                    continue;
                }

                var read = gzip.Read(output, length, capacity - length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (InvalidDataException)
        {
            Give(ref output, ref length, budget);
            return GzipStatus.Invalid;
        }

        if (HasIntactTrailer(input.Span, output.AsSpan(0, length)))
        {
            return GzipStatus.Ok;
        }

        Give(ref output, ref length, budget);
        return GzipStatus.Invalid;
    }

    private static void Give(ref byte[] output, ref int length, IBufferBudget? budget)
    {
        IngestBufferPool.Shared.Return(output);
        budget?.Shrink(output.Length);
        output = [];
        length = 0;
    }

    /// <summary>
    /// Whether the input ends with the trailer of a member whose output ends <paramref name="output"/>. ISIZE is
    /// the last member's length mod 2^32, exact here as outputs stay under 2 GiB, so concatenated members
    /// (RFC 1952 §2.2) pass too. A truncated stream ends in deflate data instead, which matches by chance
    /// with odds of about 2^-32 once the CRC is compared.
    /// </summary>
    private static bool HasIntactTrailer(ReadOnlySpan<byte> input, ReadOnlySpan<byte> output)
    {
        // The smallest member: 10-byte header, a 2-byte empty final block, 8-byte trailer.
        if (input.Length < 20)
        {
            return false;
        }

        var crc = BinaryPrimitives.ReadUInt32LittleEndian(input[^8..]);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(input[^4..]);
        return size <= (uint)output.Length && Crc32.Compute(output[^(int)size..]) == crc;
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
