using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Turns an OTLP/JSON <c>AnyValue</c> into the same kind and canonical text the protobuf decoder produces, so a
/// value stores identically whichever encoding carried it (ints as decimal text, base64 re-encoded, nested lists
/// rewritten compactly with intValue as a string).
/// </summary>
internal static class AnyValueJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private static readonly (string Camel, string Snake)[] Kinds =
    [
        ("stringValue", "string_value"), ("boolValue", "bool_value"), ("intValue", "int_value"), ("doubleValue", "double_value"),
        ("bytesValue", "bytes_value"), ("arrayValue", "array_value"), ("kvlistValue", "kvlist_value"),
    ];

    /// <summary>Null on success, else why the value is not a valid AnyValue.</summary>
    public static string? TryCanonicalize(JsonElement value, out AttributeValueType type, out string text) =>
        TryCanonicalize(value, 0, out type, out text);

    private static string? TryCanonicalize(JsonElement value, int depth, out AttributeValueType type, out string text)
    {
        type = AttributeValueType.Empty;
        text = string.Empty;
        if (value.ValueKind != JsonValueKind.Object)
        {
            return "value must be an object";
        }

        if (depth >= AnyValueText.MaxDepth)
        {
            return $"AnyValue nested deeper than {AnyValueText.MaxDepth}";
        }

        var found = -1;
        JsonElement member = default;
        for (var i = 0; i < Kinds.Length; i++)
        {
            if (OtlpJsonTraceDecoder.Property(value, Kinds[i].Camel, Kinds[i].Snake, out var candidate) && candidate.ValueKind != JsonValueKind.Null)
            {
                if (found >= 0)
                {
                    return "value sets more than one of its oneof fields";
                }

                (found, member) = (i, candidate);
            }
        }

        switch (found)
        {
            case -1:
                return null;
            case 0 when member.ValueKind == JsonValueKind.String:
                (type, text) = (AttributeValueType.String, member.GetString()!);
                return null;
            case 1 when member.ValueKind is JsonValueKind.True or JsonValueKind.False:
                (type, text) = (AttributeValueType.Bool, member.ValueKind == JsonValueKind.True ? "true" : "false");
                return null;
            case 2 when TryInt64(member, out var integer):
                (type, text) = (AttributeValueType.Int, integer.ToString(CultureInfo.InvariantCulture));
                return null;
            case 3 when TryDouble(member, out var number):
                (type, text) = (AttributeValueType.Double, AnyValueText.FormatDouble(number));
                return null;
            case 4 when member.ValueKind == JsonValueKind.String && member.TryGetBytesFromBase64(out var bytes):
                (type, text) = (AttributeValueType.Bytes, Convert.ToBase64String(bytes));
                return null;
            case 5 or 6 when member.ValueKind == JsonValueKind.Object:
                type = found == 5 ? AttributeValueType.Array : AttributeValueType.KeyValueList;
                return TryWriteList(member, found == 5, depth, out text);
            default:
                return $"{Kinds[found].Camel} has the wrong JSON type";
        }
    }

    private static string? TryWriteList(JsonElement list, bool isArray, int depth, out string text)
    {
        text = string.Empty;
        var values = JsonValueKind.Undefined;
        if (OtlpJsonTraceDecoder.Property(list, "values", "values", out var items))
        {
            values = items.ValueKind;
        }

        if (values is not (JsonValueKind.Array or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            return "values must be an array";
        }

        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartArray();
            if (values == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    var element = item;
                    if (!isArray)
                    {
                        if (item.ValueKind != JsonValueKind.Object
                            || !OtlpJsonTraceDecoder.Property(item, "key", "key", out var key)
                            || key.ValueKind != JsonValueKind.String)
                        {
                            return "a key-value list entry needs a string key";
                        }

                        json.WriteStartObject();
                        json.WriteString("key", key.GetString());
                        json.WritePropertyName("value");
                        if (!OtlpJsonTraceDecoder.Property(item, "value", "value", out element) || element.ValueKind == JsonValueKind.Null)
                        {
                            json.WriteStartObject();
                            json.WriteEndObject();
                            json.WriteEndObject();
                            continue;
                        }
                    }

                    var error = TryCanonicalize(element, depth + 1, out var type, out var inner);
                    if (error is not null)
                    {
                        return error;
                    }

                    AnyValueJsonWriter.Write(json, type, inner);
                    if (!isArray)
                    {
                        json.WriteEndObject();
                    }
                }
            }

            json.WriteEndArray();
        }

        text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return null;
    }

    private static bool TryInt64(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind switch
        {
            JsonValueKind.String => long.TryParse(element.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value),
            JsonValueKind.Number => element.TryGetInt64(out value),
            _ => false,
        };
    }

    /// <summary>A JSON number, or a string holding a number or "NaN", "Infinity", "-Infinity" (proto3 JSON).</summary>
    internal static bool TryDouble(JsonElement element, out double value)
    {
        value = 0;
        if (element.ValueKind == JsonValueKind.Number)
        {
            return element.TryGetDouble(out value);
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        switch (element.GetString())
        {
            case "NaN": value = double.NaN; return true;
            case "Infinity": value = double.PositiveInfinity; return true;
            case "-Infinity": value = double.NegativeInfinity; return true;
            case var text: return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
