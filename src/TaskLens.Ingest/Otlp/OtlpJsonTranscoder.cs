using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using static TaskLens.Ingest.Otlp.OtlpJsonSchema;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Turns an OTLP/JSON trace, log or metric export into the protobuf bytes of the same message, so one protobuf decoder
/// serves both encodings. Follows the OTLP/JSON rules (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
/// hex trace and span ids, integer enums (names accepted as in the proto3 JSON mapping), 64-bit integers as strings
/// or numbers, lowerCamelCase keys (proto names accepted), unknown fields ignored, "NaN"/"Infinity" doubles.
/// </summary>
public static class OtlpJsonTranscoder
{
    private const int MaxJsonDepth = 128;

    /// <summary>Transcodes an <c>ExportTraceServiceRequest</c>; null and a reason when the JSON is not one.</summary>
    public static byte[]? TranscodeTraces(ReadOnlyMemory<byte> json, out string? error) => Transcode(json, TracesRequest, out error);

    /// <summary>Transcodes an <c>ExportLogsServiceRequest</c>; null and a reason when the JSON is not one.</summary>
    public static byte[]? TranscodeLogs(ReadOnlyMemory<byte> json, out string? error) => Transcode(json, LogsRequest, out error);

    /// <summary>Transcodes an <c>ExportMetricsServiceRequest</c>; null and a reason when the JSON is not one.</summary>
    public static byte[]? TranscodeMetrics(ReadOnlyMemory<byte> json, out string? error) => Transcode(json, MetricsRequest, out error);

    private static byte[]? Transcode(ReadOnlyMemory<byte> json, MessageSchema schema, out string? error)
    {
        // JSON text must be UTF-8 (RFC 8259 §8.1); the parser does not check bytes inside strings.
        if (!Utf8.IsValid(json.Span))
        {
            error = "the body is not valid UTF-8";
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException e)
        {
            error = "invalid JSON: " + e.Message;
            return null;
        }

        using (document)
        {
            var output = new ArrayBufferWriter<byte>(Math.Max(256, json.Length / 2));
            error = WriteMessage(document.RootElement, schema, output, schema.Name);
            return error is null ? output.WrittenSpan.ToArray() : null;
        }
    }

    private static string? WriteMessage(JsonElement element, MessageSchema schema, ArrayBufferWriter<byte> output, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return $"{path} must be a JSON object";
        }

        var set = 0;
        foreach (var member in element.EnumerateObject())
        {
            var field = schema.Find(member.Name);
            if (field is null || member.Value.ValueKind == JsonValueKind.Null)
            {
                continue; // Unknown fields are ignored (OTLP/JSON); null means absent.
            }

            // The proto3 JSON mapping refuses a oneof with more than one member set (protobuf would keep the last).
            if (schema.IsOneOf && ++set > 1)
            {
                return $"{path} sets more than one value";
            }

            var fieldPath = $"{path}.{field.Camel}";
            var error = field.Repeated
                ? WriteRepeated(member.Value, field, output, fieldPath)
                : WriteField(member.Value, field, output, fieldPath);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? WriteRepeated(JsonElement array, FieldSchema field, ArrayBufferWriter<byte> output, string path)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            return $"{path} must be an array";
        }

        if (field.Kind == Kind.Message)
        {
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                var error = WriteField(item, field, output, $"{path}[{index++}]");
                if (error is not null)
                {
                    return error;
                }
            }

            return null;
        }

        // Repeated numbers are written packed, as proto3 does by default.
        var packed = new ArrayBufferWriter<byte>(array.GetArrayLength() * 8 + 1);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var error = WriteScalar(item, field, packed, $"{path}[{i++}]");
            if (error is not null)
            {
                return error;
            }
        }

        ProtoWriter.WriteBytes(output, field.Number, packed.WrittenSpan);
        return null;
    }

    private static string? WriteField(JsonElement value, FieldSchema field, ArrayBufferWriter<byte> output, string path)
    {
        switch (field.Kind)
        {
            case Kind.Message:
                var inner = new ArrayBufferWriter<byte>(64);
                var error = WriteMessage(value, field.Message!, inner, path);
                if (error is null)
                {
                    ProtoWriter.WriteBytes(output, field.Number, inner.WrittenSpan);
                }

                return error;
            case Kind.String:
                if (value.ValueKind != JsonValueKind.String)
                {
                    return $"{path} must be a string";
                }

                ProtoWriter.WriteString(output, field.Number, value.GetString()!);
                return null;
            case Kind.HexBytes:
                if (value.ValueKind != JsonValueKind.String)
                {
                    return $"{path} must be a hex string";
                }

                // Not hex: one byte, so the decoder rejects the record for a malformed id (partial success).
                var hex = value.GetString()!;
                ProtoWriter.WriteBytes(output, field.Number, TryParseHex(hex, out var bytes) ? bytes : [0]);
                return null;
            case Kind.Base64Bytes:
                if (value.ValueKind != JsonValueKind.String || !value.TryGetBytesFromBase64(out var decoded))
                {
                    return $"{path} must be a base64 string";
                }

                ProtoWriter.WriteBytes(output, field.Number, decoded);
                return null;
            default:
                ProtoWriter.WriteTag(output, field.Number, WireTypeOf(field.Kind));
                return WriteScalar(value, field, output, path);
        }
    }

    /// <summary>Writes the value of a scalar field (no tag).</summary>
    private static string? WriteScalar(JsonElement value, FieldSchema field, ArrayBufferWriter<byte> output, string path)
    {
        switch (field.Kind)
        {
            case Kind.Bool:
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return $"{path} must be true or false";
                }

                ProtoWriter.WriteVarint(output, value.ValueKind == JsonValueKind.True ? 1UL : 0UL);
                return null;
            case Kind.Varint or Kind.SInt32 or Kind.SFixed64 or Kind.Fixed64 or Kind.Fixed32:
                if (!TryInteger(value, field, out var integer))
                {
                    return field.EnumNames is null
                        ? $"{path} must be an integer (a number or a decimal string)"
                        : $"{path} must be an integer or a {field.EnumPrefix}* name";
                }

                switch (field.Kind)
                {
                    case Kind.Varint:
                        ProtoWriter.WriteVarint(output, integer);
                        break;
                    case Kind.SInt32:
                        var signed = (int)(long)integer;
                        ProtoWriter.WriteVarint(output, (uint)((signed << 1) ^ (signed >> 31)));
                        break;
                    case Kind.Fixed32:
                        BinaryPrimitives.WriteUInt32LittleEndian(output.GetSpan(4), (uint)integer);
                        output.Advance(4);
                        break;
                    default:
                        BinaryPrimitives.WriteUInt64LittleEndian(output.GetSpan(8), integer);
                        output.Advance(8);
                        break;
                }

                return null;
            case Kind.Double:
                if (!JsonDouble.TryRead(value, out var number))
                {
                    return $"{path} must be a number or \"NaN\", \"Infinity\", \"-Infinity\"";
                }

                BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), number);
                output.Advance(8);
                return null;
            default:
                return $"{path}: unsupported repeated kind {field.Kind}";
        }
    }

    private static WireType WireTypeOf(Kind kind) => kind switch
    {
        Kind.Fixed64 or Kind.SFixed64 or Kind.Double => WireType.Fixed64,
        Kind.Fixed32 => WireType.Fixed32,
        _ => WireType.Varint,
    };

    /// <summary>
    /// An integer as its two's-complement 64 bits: a JSON number or decimal string (proto3 JSON allows both for
    /// every integer type), or for enums one of the value names.
    /// </summary>
    private static bool TryInteger(JsonElement value, FieldSchema field, out ulong integer)
    {
        integer = 0;
        string? text = null;
        if (value.ValueKind == JsonValueKind.Number)
        {
            text = value.GetRawText();
        }
        else if (value.ValueKind == JsonValueKind.String)
        {
            text = value.GetString()!;
            if (field.EnumNames is { } names && text.StartsWith(field.EnumPrefix!, StringComparison.Ordinal))
            {
                var index = names.ToList().IndexOf(text[field.EnumPrefix!.Length..]);
                integer = (ulong)index;
                return index >= 0;
            }
        }

        if (text is null)
        {
            return false;
        }

        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out integer))
        {
            return true;
        }

        // fixed64 and fixed32 (times, counts, flags) are unsigned: "-1" is not one, though it fits the wire.
        var unsigned = field.Kind is Kind.Fixed64 or Kind.Fixed32;
        if (!unsigned && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var signed))
        {
            integer = unchecked((ulong)signed);
            return true;
        }

        // proto3 JSON also accepts integral numbers in exponent form, such as 1e3.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < 9.2e18 && (d >= 0 || !unsigned))
        {
            integer = d < 0 ? unchecked((ulong)(long)d) : (ulong)d;
            return true;
        }

        return false;
    }

    private static bool TryParseHex(string hex, out byte[] bytes)
    {
        bytes = [];
        if (hex.Length % 2 != 0)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
