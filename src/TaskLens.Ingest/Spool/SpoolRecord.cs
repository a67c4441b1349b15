using System.Buffers.Binary;
using System.Text;
using TaskLens.Ingest.Otlp;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// One acknowledged export in a spool segment. On disk, little-endian:
/// <c>magic u32 | body length u32 | CRC-32 of body u32 | body</c>, where the body is
/// <c>version u8 | signal u8 | flags u8 (1 = JSON) | reserved u8 | tenant length u32 | tenant UTF-8 |
/// service length u32 | service UTF-8 | payload</c>. The service (of the export's first resource) is what the spool
/// shares are counted by. Version 1 had 16-bit tenant and service lengths: a 65,536-byte service name wrapped and the
/// record was misread (issue 14); version 2 widens them, and version 1 records of earlier runs are still read.
/// The payload is the export as decoded at ingest (protobuf, or OTLP/JSON for traces sent as JSON), so replay decodes
/// exactly what was acknowledged. The magic lets a reader find the next record after a corrupt one.
/// </summary>
internal readonly record struct SpoolRecord(OtlpSignal Signal, string Tenant, string Service, bool Json, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The pooled array (<see cref="Receivers.IngestBufferPool.Shared"/>) a record read on its own lives in (null for records being written and for records sliced from a block read).</summary>
    public byte[]? Buffer { get; init; }

    public void ReturnBuffer()
    {
        if (Buffer is not null)
        {
            Receivers.IngestBufferPool.Shared.Return(Buffer);
        }
    }

    public const uint Magic = 0x4C505354; // "TSPL"
    public const int HeaderBytes = 12;
    private const byte Version = 2;
    private const byte Version1 = 1;
    private const int PrefixBytes = 4;
    private const int LengthBytes = 4;

    /// <summary>The largest body a reader accepts; anything larger is corruption (exports are capped far below it).</summary>
    public const int MaxBodyBytes = 1024 * 1024 * 1024;

    public int EncodedLength => HeaderBytes + PrefixBytes + LengthBytes + Encoding.UTF8.GetByteCount(Tenant) + LengthBytes + Encoding.UTF8.GetByteCount(Service) + Payload.Length;

    public void WriteTo(Span<byte> destination)
    {
        var body = destination[HeaderBytes..EncodedLength];
        body[0] = Version;
        body[1] = CodeOf(Signal);
        body[2] = Json ? (byte)1 : (byte)0;
        body[3] = 0;
        var at = WriteString(body, PrefixBytes, Tenant);
        at = WriteString(body, at, Service);
        Payload.Span.CopyTo(body[at..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Crc32.Compute(body));
    }

    /// <summary>Reads a record from a body whose checksum has been verified; false when its content is not one we write.</summary>
    public static bool TryParseBody(ReadOnlyMemory<byte> body, out SpoolRecord record)
    {
        record = default;
        var span = body.Span;
        if (span.Length < PrefixBytes || span[0] is not (Version or Version1) || SignalOf(span[1]) is not { } signal)
        {
            return false;
        }

        var wide = span[0] == Version;
        if (!TryReadString(span, PrefixBytes, wide, out var tenant, out var at) || !TryReadString(span, at, wide, out var service, out at))
        {
            return false;
        }

        record = new SpoolRecord(signal, tenant, service, span[2] == 1, body[at..]);
        return true;
    }

    private static int WriteString(Span<byte> body, int at, string value)
    {
        var length = Encoding.UTF8.GetBytes(value, body[(at + LengthBytes)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(body[at..], (uint)length);
        return at + LengthBytes + length;
    }

    private static bool TryReadString(ReadOnlySpan<byte> body, int at, bool wide, out string value, out int next)
    {
        value = string.Empty;
        next = at;
        var lengthBytes = wide ? LengthBytes : 2;
        if (body.Length - at < lengthBytes)
        {
            return false;
        }

        long length = wide ? BinaryPrimitives.ReadUInt32LittleEndian(body[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(body[at..]);
        if (length > body.Length - at - lengthBytes)
        {
            return false;
        }

        value = Encoding.UTF8.GetString(body.Slice(at + lengthBytes, (int)length));
        next = at + lengthBytes + (int)length;
        return true;
    }

    private static byte CodeOf(OtlpSignal signal) => signal == OtlpSignal.Traces ? (byte)0 : signal == OtlpSignal.Logs ? (byte)1 : (byte)2;

    private static OtlpSignal? SignalOf(byte code) => code switch
    {
        0 => OtlpSignal.Traces,
        1 => OtlpSignal.Logs,
        2 => OtlpSignal.Metrics,
        _ => null,
    };
}
