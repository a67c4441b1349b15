using System.Buffers;
using System.Text;

namespace TaskLens.Ingest.Otlp;

/// <summary>The few protobuf writes our responses need (varint and length-delimited fields).</summary>
internal static class ProtoWriter
{
    public static void WriteTag(IBufferWriter<byte> writer, int field, WireType wireType) =>
        WriteVarint(writer, ((ulong)field << 3) | (ulong)wireType);

    public static void WriteVarint(IBufferWriter<byte> writer, ulong value)
    {
        var span = writer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        writer.Advance(i);
    }

    public static void WriteString(IBufferWriter<byte> writer, int field, string value)
    {
        WriteTag(writer, field, WireType.LengthDelimited);
        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarint(writer, (ulong)length);
        Encoding.UTF8.GetBytes(value, writer.GetSpan(length));
        writer.Advance(length);
    }

    public static void WriteBytes(IBufferWriter<byte> writer, int field, ReadOnlySpan<byte> value)
    {
        WriteTag(writer, field, WireType.LengthDelimited);
        WriteVarint(writer, (ulong)value.Length);
        value.CopyTo(writer.GetSpan(value.Length));
        writer.Advance(value.Length);
    }
}
