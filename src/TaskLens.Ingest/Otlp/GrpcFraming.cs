using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// gRPC message framing over HTTP/2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md):
/// each message is a compressed-flag byte, a 4-byte big-endian length and the message bytes.
/// </summary>
public static class GrpcFraming
{
    public const int PrefixLength = 5;

    /// <summary>
    /// Reads the first message of <paramref name="buffer"/>, which may be split anywhere across segments. On
    /// <see cref="GrpcFrameStatus.Complete"/>, <paramref name="buffer"/> is advanced past it.
    /// </summary>
    public static GrpcFrameStatus TryReadMessage(
        ref ReadOnlySequence<byte> buffer,
        int maxMessageSize,
        out ReadOnlySequence<byte> message,
        out bool compressed)
    {
        message = default;
        compressed = false;
        if (buffer.Length < PrefixLength)
        {
            return GrpcFrameStatus.Incomplete;
        }

        Span<byte> prefix = stackalloc byte[PrefixLength];
        buffer.Slice(0, PrefixLength).CopyTo(prefix);
        if (prefix[0] > 1)
        {
            return GrpcFrameStatus.InvalidFlag;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
        if (length > (uint)maxMessageSize)
        {
            return GrpcFrameStatus.TooLarge;
        }

        if (buffer.Length - PrefixLength < length)
        {
            return GrpcFrameStatus.Incomplete;
        }

        compressed = prefix[0] == 1;
        message = buffer.Slice(PrefixLength, length);
        buffer = buffer.Slice(message.End);
        return GrpcFrameStatus.Complete;
    }

    /// <summary>Writes one uncompressed message with its prefix.</summary>
    public static void WriteMessage(IBufferWriter<byte> writer, ReadOnlySpan<byte> message)
    {
        var prefix = writer.GetSpan(PrefixLength);
        prefix[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)message.Length);
        writer.Advance(PrefixLength);
        message.CopyTo(writer.GetSpan(message.Length));
        writer.Advance(message.Length);
    }

    /// <summary>
    /// The <c>grpc-message</c> form of a status message: percent-encoding of every byte of its UTF-8 outside
    /// printable ASCII and of '%' itself, as the gRPC HTTP/2 protocol requires.
    /// </summary>
    public static string EncodeMessage(string message)
    {
        var utf8 = Encoding.UTF8.GetBytes(message);
        var text = new StringBuilder(utf8.Length);
        foreach (var b in utf8)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(Convert.ToHexString([b]));
            }
        }

        return text.ToString();
    }
}
