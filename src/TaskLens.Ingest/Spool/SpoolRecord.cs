using System.Buffers.Binary;
using System.Text;
using TaskLens.Ingest.Otlp;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// One acknowledged export in a spool segment. On disk, little-endian:
/// <c>magic u32 | body length u32 | CRC-32 of body u32 | body</c>, where the body is
/// <c>version u8 | signal u8 | flags u8 (1 = JSON) | reserved u8 | tenant length u16 | tenant UTF-8 |
/// service length u16 | service UTF-8 | payload</c>. The service (of the export's first resource) is what the spool
/// shares are counted by.
/// The payload is the export as decoded at ingest (protobuf, or OTLP/JSON for traces sent as JSON), so replay decodes
/// exactly what was acknowledged. The magic lets a reader find the next record after a corrupt one.
/// </summary>
internal readonly record struct SpoolRecord(OtlpSignal Signal, string Tenant, string Service, bool Json, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The pooled array a read record lives in (null for records being written).</summary>
    public byte[]? Buffer { get; init; }

    public void ReturnBuffer()
    {
        if (Buffer is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(Buffer);
        }
    }

    public const uint Magic = 0x4C505354; // "TSPL"
    public const int HeaderBytes = 12;
    private const byte Version = 1;
    private const int BodyPrefixBytes = 6;

    /// <summary>The largest body a reader accepts; anything larger is corruption (exports are capped far below it).</summary>
    public const int MaxBodyBytes = 1024 * 1024 * 1024;

    public int EncodedLength => HeaderBytes + BodyPrefixBytes + Encoding.UTF8.GetByteCount(Tenant) + 2 + Encoding.UTF8.GetByteCount(Service) + Payload.Length;

    public void WriteTo(Span<byte> destination)
    {
        var tenantBytes = Encoding.UTF8.GetByteCount(Tenant);
        var serviceBytes = Encoding.UTF8.GetByteCount(Service);
        var body = destination[HeaderBytes..EncodedLength];
        body[0] = Version;
        body[1] = CodeOf(Signal);
        body[2] = Json ? (byte)1 : (byte)0;
        body[3] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(body[4..], (ushort)tenantBytes);
        Encoding.UTF8.GetBytes(Tenant, body[BodyPrefixBytes..]);
        var at = BodyPrefixBytes + tenantBytes;
        BinaryPrimitives.WriteUInt16LittleEndian(body[at..], (ushort)serviceBytes);
        Encoding.UTF8.GetBytes(Service, body[(at + 2)..]);
        Payload.Span.CopyTo(body[(at + 2 + serviceBytes)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Crc32.Compute(body));
    }

    /// <summary>Reads a record from a body whose checksum has been verified; false when its content is not one we write.</summary>
    public static bool TryParseBody(ReadOnlyMemory<byte> body, out SpoolRecord record)
    {
        record = default;
        var span = body.Span;
        if (span.Length < BodyPrefixBytes || span[0] != Version || SignalOf(span[1]) is not { } signal)
        {
            return false;
        }

        var tenantBytes = BinaryPrimitives.ReadUInt16LittleEndian(span[4..]);
        var at = BodyPrefixBytes + tenantBytes;
        if (span.Length < at + 2)
        {
            return false;
        }

        var serviceBytes = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
        if (span.Length < at + 2 + serviceBytes)
        {
            return false;
        }

        record = new SpoolRecord(
            signal,
            Encoding.UTF8.GetString(span.Slice(BodyPrefixBytes, tenantBytes)),
            Encoding.UTF8.GetString(span.Slice(at + 2, serviceBytes)),
            span[2] == 1,
            body[(at + 2 + serviceBytes)..]);
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
