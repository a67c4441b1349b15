using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Turns an OTLP <c>AnyValue</c> into its kind and canonical text (see <see cref="AttributeValueType"/>).
/// Arrays and key-value lists become their OTLP/JSON value lists, so nested values keep their exact types.
/// </summary>
internal static partial class AnyValueText
{
    /// <summary>Deeper nesting than this is refused: no real attribute needs it, and recursion must stay bounded.</summary>
    public const int MaxDepth = 32;

    // AnyValue field numbers (opentelemetry/proto/common/v1/common.proto).
    private const int StringValue = 1;
    private const int BoolValue = 2;
    private const int IntValue = 3;
    private const int DoubleValue = 4;
    private const int ArrayValue = 5;
    private const int KvlistValue = 6;
    private const int BytesValue = 7;

    // ArrayValue.values, KeyValueList.values, KeyValue.key / value.
    private const int Values = 1;
    private const int Key = 1;
    private const int Value = 2;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_json;

    /// <summary>The value's kind and text.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> anyValue, out AttributeValueType type, out string text, out string? error)
    {
        type = AttributeValueType.Empty;
        text = string.Empty;
        if (!TryFindValue(anyValue, out var field, out var wireType, out var payload, out var scalar, out error))
        {
            return false;
        }

        switch (field)
        {
            case 0:
                return true;
            case StringValue:
                type = AttributeValueType.String;
                text = Utf8Text.Decode(payload);
                return true;
            case BoolValue:
                type = AttributeValueType.Bool;
                text = scalar != 0 ? "true" : "false";
                return true;
            case IntValue:
                type = AttributeValueType.Int;
                text = IntegerText((long)scalar);
                return true;
            case DoubleValue:
                type = AttributeValueType.Double;
                text = FormatDouble(BitConverter.UInt64BitsToDouble(scalar));
                return true;
            case BytesValue:
                type = AttributeValueType.Bytes;
                text = Convert.ToBase64String(payload);
                return true;
            case ArrayValue or KvlistValue:
                type = field == ArrayValue ? AttributeValueType.Array : AttributeValueType.KeyValueList;
                if (!TryRenderJson(field, payload, out var json, out error))
                {
                    return false;
                }

                text = Encoding.UTF8.GetString(json);
                return true;
            default:
                _ = wireType;
                return true;
        }
    }

    /// <summary>
    /// The checks of <see cref="TryDecode"/> alone, with the same verdicts and messages, for ingest's validation before
    /// spooling: the value's kind and, for a string, its UTF-8 bytes (unchecked, as the export holds them); no text is
    /// made. Arrays and key-value lists are still rendered (into the per-thread buffer), as rendering checks them.
    /// </summary>
    public static bool TryCheck(ReadOnlySpan<byte> anyValue, out AttributeValueType type, out ReadOnlySpan<byte> stringValue, out string? error)
    {
        type = AttributeValueType.Empty;
        stringValue = default;
        if (!TryFindValue(anyValue, out var field, out _, out var payload, out _, out error))
        {
            return false;
        }

        switch (field)
        {
            case StringValue:
                type = AttributeValueType.String;
                stringValue = payload;
                return true;
            case BoolValue: type = AttributeValueType.Bool; return true;
            case IntValue: type = AttributeValueType.Int; return true;
            case DoubleValue: type = AttributeValueType.Double; return true;
            case BytesValue: type = AttributeValueType.Bytes; return true;
            case ArrayValue or KvlistValue:
                type = field == ArrayValue ? AttributeValueType.Array : AttributeValueType.KeyValueList;
                return TryRenderJson(field, payload, out _, out error);
            default:
                return true;
        }
    }

    /// <summary>
    /// <see cref="TryDecode"/> into UTF-8 text in <paramref name="parts"/> (the drainer's rows): the same kind, and the
    /// same text as bytes, without a string in between.
    /// </summary>
    public static bool TryRender(ReadOnlySpan<byte> anyValue, Utf8SpanParts parts, out AttributeValueType type, out Utf8Range text, out string? error)
    {
        type = AttributeValueType.Empty;
        text = default;
        if (!TryFindValue(anyValue, out var field, out _, out var payload, out var scalar, out error))
        {
            return false;
        }

        switch (field)
        {
            case StringValue:
                type = AttributeValueType.String;
                text = parts.AddText(payload);
                return true;
            case BoolValue:
                type = AttributeValueType.Bool;
                text = parts.AddText(scalar != 0 ? "true"u8 : "false"u8);
                return true;
            case IntValue:
                type = AttributeValueType.Int;
                ((long)scalar).TryFormat(parts.TextSpace(20), out var written, default, CultureInfo.InvariantCulture);
                text = parts.CommitText(written);
                return true;
            case DoubleValue:
                type = AttributeValueType.Double;
                var d = BitConverter.UInt64BitsToDouble(scalar);
                if (!double.IsFinite(d))
                {
                    text = parts.AddText(FormatDouble(d));
                    return true;
                }

                d.TryFormat(parts.TextSpace(32), out written, "R", CultureInfo.InvariantCulture);
                text = parts.CommitText(written);
                return true;
            case BytesValue:
                type = AttributeValueType.Bytes;
                Base64.EncodeToUtf8(payload, parts.TextSpace(Base64.GetMaxEncodedToUtf8Length(payload.Length)), out _, out written);
                text = parts.CommitText(written);
                return true;
            case ArrayValue or KvlistValue:
                type = field == ArrayValue ? AttributeValueType.Array : AttributeValueType.KeyValueList;
                if (!TryRenderJson(field, payload, out var json, out error))
                {
                    return false;
                }

                text = parts.AddText(json);
                return true;
            default:
                return true;
        }
    }

    /// <summary>An array or key-value list as its OTLP/JSON value list, in a per-thread buffer valid until the next call.</summary>
    private static bool TryRenderJson(int field, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> rendered, out string? error)
    {
        rendered = default;
        var buffer = t_json ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var ok = field == ArrayValue
                ? TryWriteArrayValues(json, payload, 1, out error)
                : TryWriteKeyValues(json, payload, 1, out error);
            if (!ok)
            {
                return false;
            }
        }

        rendered = buffer.WrittenSpan;
        return true;
    }

    /// <summary>
    /// Small non-negative integers (status codes, ports, counts) repeat from span to span: their text is made once.
    /// Racing threads may each make one; either is the same text.
    /// </summary>
    private static string IntegerText(long value)
    {
        if ((ulong)value >= (ulong)SmallIntegers.Length)
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        return SmallIntegers[value] ??= value.ToString(CultureInfo.InvariantCulture);
    }

    private static readonly string?[] SmallIntegers = new string?[1024];

    /// <summary>Shortest text that parses back to the same double; the non-finite values by name.</summary>
    public static string FormatDouble(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "Infinity"
        : double.IsNegativeInfinity(value) ? "-Infinity"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Finds the oneof member that is set; when several are (legal on the wire), the last one wins as in
    /// every protobuf parser. Field 0 means none is set.
    /// </summary>
    internal static bool TryFindValue(
        ReadOnlySpan<byte> anyValue,
        out int field,
        out WireType wireType,
        out ReadOnlySpan<byte> payload,
        out ulong scalar,
        out string? error)
    {
        // The usual AnyValues, read by position (the general path decides the same for them, property-tested): one
        // string_value shorter than 128 bytes.
        if (anyValue.Length >= 2 && anyValue[0] == 0x0A && anyValue[1] < 0x80 && anyValue[1] + 2 == anyValue.Length)
        {
            field = StringValue;
            wireType = WireType.LengthDelimited;
            payload = anyValue[2..];
            scalar = 0;
            error = null;
            return true;
        }

        // The next most usual: one int_value (tag 0x18), its varint running to the end.
        if (anyValue.Length >= 2 && anyValue[0] == 0x18)
        {
            var reader = new ProtoReader(anyValue[1..]);
            if (reader.TryReadVarint(out scalar) && reader.End)
            {
                field = IntValue;
                wireType = WireType.Varint;
                payload = default;
                error = null;
                return true;
            }
        }

        return TryFindValueInGeneral(anyValue, out field, out wireType, out payload, out scalar, out error);
    }

    /// <summary><see cref="TryFindValue"/> for any member, repetition, unknown field or length.</summary>
    internal static bool TryFindValueInGeneral(
        ReadOnlySpan<byte> anyValue,
        out int field,
        out WireType wireType,
        out ReadOnlySpan<byte> payload,
        out ulong scalar,
        out string? error)
    {
        field = 0;
        wireType = 0;
        payload = default;
        scalar = 0;
        error = null;
        var reader = new ProtoReader(anyValue);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var f, out var wt))
            {
                error = "AnyValue: bad field tag";
                return false;
            }

            var expected = f switch
            {
                StringValue or ArrayValue or KvlistValue or BytesValue => WireType.LengthDelimited,
                BoolValue or IntValue => WireType.Varint,
                DoubleValue => WireType.Fixed64,
                _ => (WireType)(-1),
            };
            if ((int)expected == -1)
            {
                if (!reader.TrySkip(wt))
                {
                    error = $"AnyValue: field {f} truncated";
                    return false;
                }

                continue;
            }

            if (wt != expected)
            {
                error = $"AnyValue: field {f} has wire type {(int)wt}, expected {(int)expected}";
                return false;
            }

            var ok = wt == WireType.LengthDelimited ? reader.TryReadLengthDelimited(out payload) : reader.TryReadScalar(wt, out scalar);
            if (!ok)
            {
                error = $"AnyValue: field {f} truncated";
                return false;
            }

            field = f;
            wireType = wt;
        }

        return true;
    }

    /// <summary>Splits a KeyValue message into its key bytes and AnyValue bytes (empty when absent).</summary>
    public static bool TrySplitKeyValue(ReadOnlySpan<byte> keyValue, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value, out string? error)
    {
        // What SDKs write for nearly every attribute: the key (field 1), then the value (field 2), each shorter than 128
        // bytes, and nothing else. Read by position; any other layout takes the general path, which decides the same
        // for this one (unit-tested against it).
        if (keyValue.Length >= 4 && keyValue[0] == 0x0A && keyValue[1] < 0x80)
        {
            var tag = 2 + keyValue[1];
            if (tag + 2 <= keyValue.Length && keyValue[tag] == 0x12 && keyValue[tag + 1] < 0x80 && tag + 2 + keyValue[tag + 1] == keyValue.Length)
            {
                key = keyValue.Slice(2, keyValue[1]);
                value = keyValue[(tag + 2)..];
                error = null;
                return true;
            }
        }

        return TrySplitKeyValueInGeneral(keyValue, out key, out value, out error);
    }

    /// <summary><see cref="TrySplitKeyValue"/> for any field order, repetition, unknown field or length.</summary>
    internal static bool TrySplitKeyValueInGeneral(ReadOnlySpan<byte> keyValue, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value, out string? error)
    {
        key = default;
        value = default;
        error = null;
        var reader = new ProtoReader(keyValue);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "KeyValue: bad field tag";
                return false;
            }

            if (field is Key or Value)
            {
                if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var payload))
                {
                    error = $"KeyValue: field {field} truncated or of the wrong wire type";
                    return false;
                }

                if (field == Key)
                {
                    key = payload;
                }
                else
                {
                    value = payload;
                }
            }
            else if (!reader.TrySkip(wireType))
            {
                error = $"KeyValue: field {field} truncated";
                return false;
            }
        }

        return true;
    }
}
