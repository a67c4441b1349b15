using System.Buffers.Binary;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// The parts of opentelemetry-proto common/v1 and resource/v1 that every OTLP decoder shares: Resource,
/// InstrumentationScope, KeyValue lists and ids. Every reader returns false with a reason instead of throwing.
/// </summary>
internal static class OtlpCommon
{
    public const string UnknownService = "unknown_service";

    public static readonly TelemetryResource EmptyResource = new([], 0, string.Empty, UnknownService);

    public static readonly TelemetryScope EmptyScope = new(string.Empty, string.Empty, [], 0, string.Empty);

    /// <summary>Resource: attributes = 1, dropped_attributes_count = 2; attributes into a list (logs, metrics).</summary>
    public static bool TryDecodeResource(ReadOnlySpan<byte> message, string schemaUrl, out TelemetryResource resource, out string? error)
    {
        resource = EmptyResource;
        var attributes = new List<AttributeRecord>();
        var sink = new ListAttributes(attributes);
        uint dropped = 0;
        if (!TryReadResource(message, ref sink, ref dropped, out error))
        {
            return false;
        }

        resource = new TelemetryResource(attributes, dropped, schemaUrl, sink.ServiceName);
        return true;
    }

    /// <summary>InstrumentationScope: name = 1, version = 2, attributes = 3, dropped_attributes_count = 4; attributes into a list.</summary>
    public static bool TryDecodeScope(ReadOnlySpan<byte> message, string schemaUrl, out TelemetryScope scope, out string? error)
    {
        scope = EmptyScope;
        var attributes = new List<AttributeRecord>();
        var sink = new ListAttributes(attributes);
        ReadOnlySpan<byte> name = default, version = default;
        uint dropped = 0;
        if (!TryReadScope(message, ref sink, ref name, ref version, ref dropped, out error))
        {
            return false;
        }

        scope = new TelemetryScope(OtlpTraceDecoder.DecodeString(name), OtlpTraceDecoder.DecodeString(version), attributes, dropped, schemaUrl);
        return true;
    }

    /// <summary>
    /// The one Resource reader of every OTLP decoder: attributes = 1 (into <paramref name="attributes"/>, as
    /// <see cref="AttributeOwner.Resource"/>), dropped_attributes_count = 2.
    /// </summary>
    public static bool TryReadResource<TSink>(ReadOnlySpan<byte> message, ref TSink attributes, ref uint dropped, out string? error)
        where TSink : struct, IAttributeSink
    {
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            switch (field)
            {
                case 1:
                    if (!TryReadKeyValue(ref reader, wireType, "attribute: ", ref attributes, AttributeOwner.Resource, out error))
                    {
                        return false;
                    }

                    break;
                case 2:
                    if (!TryReadUInt32(ref reader, wireType, out dropped))
                    {
                        error = "dropped_attributes_count truncated or of the wrong wire type";
                        return false;
                    }

                    break;
                default:
                    if (!reader.TrySkip(wireType))
                    {
                        error = $"field {field} truncated";
                        return false;
                    }

                    break;
            }
        }

        error = null;
        return true;
    }

    /// <summary>
    /// The one InstrumentationScope reader of every OTLP decoder: name = 1, version = 2 (as UTF-8, unchecked; the
    /// last occurrence wins), attributes = 3 (into <paramref name="attributes"/>, as <see cref="AttributeOwner.Scope"/>),
    /// dropped_attributes_count = 4.
    /// </summary>
    public static bool TryReadScope<TSink>(
        ReadOnlySpan<byte> message, ref TSink attributes, ref ReadOnlySpan<byte> name, ref ReadOnlySpan<byte> version, ref uint dropped, out string? error)
        where TSink : struct, IAttributeSink
    {
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            switch (field)
            {
                case 1 or 2:
                    if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var text))
                    {
                        error = $"field {field} truncated or of the wrong wire type";
                        return false;
                    }

                    if (field == 1)
                    {
                        name = text;
                    }
                    else
                    {
                        version = text;
                    }

                    break;
                case 3:
                    if (!TryReadKeyValue(ref reader, wireType, "attribute: ", ref attributes, AttributeOwner.Scope, out error))
                    {
                        return false;
                    }

                    break;
                case 4:
                    if (!TryReadUInt32(ref reader, wireType, out dropped))
                    {
                        error = "dropped_attributes_count truncated or of the wrong wire type";
                        return false;
                    }

                    break;
                default:
                    if (!reader.TrySkip(wireType))
                    {
                        error = $"field {field} truncated";
                        return false;
                    }

                    break;
            }
        }

        error = null;
        return true;
    }

    /// <summary>
    /// Finds the schema URL (field <paramref name="schemaField"/>) and the resource or scope message (field 1) of a
    /// ResourceLogs/ScopeLogs-like wrapper, checking every field other than <paramref name="itemsField"/>.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> message, int itemsField, out ReadOnlySpan<byte> first, out string schemaUrl, out string? error)
    {
        first = default;
        schemaUrl = string.Empty;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            bool ok;
            if (field == 1)
            {
                ok = wireType == WireType.LengthDelimited && reader.TryReadLengthDelimited(out first);
            }
            else if (field == 3)
            {
                ok = TryReadString(ref reader, wireType, out schemaUrl);
            }
            else
            {
                ok = (field != itemsField || wireType == WireType.LengthDelimited) && reader.TrySkip(wireType);
            }

            if (!ok)
            {
                error = $"field {field} truncated or of the wrong wire type";
                return false;
            }
        }

        error = null;
        return true;
    }

    /// <summary>Reads one KeyValue into <paramref name="attributes"/> (log records, data points).</summary>
    public static bool TryReadAttribute(ref ProtoReader reader, WireType wireType, List<AttributeRecord> attributes, out string? error)
    {
        var sink = new ListAttributes(attributes);
        return TryReadKeyValue(ref reader, wireType, "attribute: ", ref sink, AttributeOwner.Item, out error);
    }

    /// <summary>
    /// The one KeyValue reader of every OTLP decoder (key = 1, value = 2 as an AnyValue), into <paramref name="sink"/>. A
    /// value that cannot be decoded fails with <paramref name="decodeErrorPrefix"/> before why.
    /// </summary>
    public static bool TryReadKeyValue<TSink>(ref ProtoReader reader, WireType wireType, string decodeErrorPrefix, ref TSink sink, AttributeOwner owner, out string? error)
        where TSink : struct, IAttributeSink
    {
        if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var keyValue))
        {
            error = "attribute truncated or of the wrong wire type";
            return false;
        }

        if (!AnyValueText.TrySplitKeyValue(keyValue, out var key, out var value, out error) || !sink.TryAdd(owner, key, value, out error))
        {
            error = decodeErrorPrefix + error;
            return false;
        }

        error = null;
        return true;
    }

    public static bool TryReadString(ref ProtoReader reader, WireType wireType, out string value)
    {
        value = string.Empty;
        if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var bytes))
        {
            return false;
        }

        value = OtlpTraceDecoder.DecodeString(bytes);
        return true;
    }

    /// <summary>A string field as its UTF-8 bytes, unchecked: <paramref name="value"/> is left as it was when the field is malformed.</summary>
    public static bool TryReadBytes(ref ProtoReader reader, WireType wireType, scoped ref ReadOnlySpan<byte> value)
    {
        if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var bytes))
        {
            return false;
        }

        value = bytes;
        return true;
    }

    public static bool TryReadUInt32(ref ProtoReader reader, WireType wireType, out uint value)
    {
        value = 0;
        if (wireType != WireType.Varint || !reader.TryReadVarint(out var v))
        {
            return false;
        }

        value = (uint)v;
        return true;
    }

    public static bool TryReadFixed64(ref ProtoReader reader, WireType wireType, out ulong value)
    {
        value = 0;
        return wireType == WireType.Fixed64 && reader.TryReadFixed64(out value);
    }

    public static bool TryReadDouble(ref ProtoReader reader, WireType wireType, out double value)
    {
        value = 0;
        if (wireType != WireType.Fixed64 || !reader.TryReadFixed64(out var bits))
        {
            return false;
        }

        value = BitConverter.UInt64BitsToDouble(bits);
        return true;
    }

    /// <summary>
    /// An optional trace id (log records, exemplars): empty means absent; otherwise it must be 16 bytes and not
    /// all zero. Returns why not, or null.
    /// </summary>
    public static string? ReadOptionalTraceId(ReadOnlySpan<byte> bytes, out ulong high, out ulong low)
    {
        high = low = 0;
        if (bytes.IsEmpty)
        {
            return null;
        }

        if (bytes.Length != 16)
        {
            return $"trace_id must be 16 bytes or empty, got {bytes.Length}";
        }

        high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        return null;
    }

    public static string? ReadOptionalSpanId(ReadOnlySpan<byte> bytes, out ulong id)
    {
        id = 0;
        if (bytes.IsEmpty)
        {
            return null;
        }

        if (bytes.Length != 8)
        {
            return $"span_id must be 8 bytes or empty, got {bytes.Length}";
        }

        id = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        return null;
    }

    /// <summary>
    /// Repeated fixed64 or double (bucket counts, bounds): packed (one length-delimited run) or one value per tag;
    /// proto3 parsers must accept both.
    /// </summary>
    public static bool TryReadRepeatedFixed64(ref ProtoReader reader, WireType wireType, List<ulong> values)
    {
        if (wireType == WireType.Fixed64)
        {
            if (!reader.TryReadFixed64(out var one))
            {
                return false;
            }

            values.Add(one);
            return true;
        }

        if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var packed) || packed.Length % 8 != 0)
        {
            return false;
        }

        for (var i = 0; i < packed.Length; i += 8)
        {
            values.Add(BinaryPrimitives.ReadUInt64LittleEndian(packed[i..]));
        }

        return true;
    }

    /// <summary>Repeated uint64 as varints: packed or one per tag.</summary>
    public static bool TryReadRepeatedVarint(ref ProtoReader reader, WireType wireType, List<ulong> values)
    {
        if (wireType == WireType.Varint)
        {
            if (!reader.TryReadVarint(out var one))
            {
                return false;
            }

            values.Add(one);
            return true;
        }

        if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var packed))
        {
            return false;
        }

        var inner = new ProtoReader(packed);
        while (!inner.End)
        {
            if (!inner.TryReadVarint(out var value))
            {
                return false;
            }

            values.Add(value);
        }

        return true;
    }

    /// <summary>The zigzag-decoded value of an sint32 varint.</summary>
    public static int ZigZag32(ulong raw) => (int)((uint)raw >> 1) ^ -(int)((uint)raw & 1);
}
