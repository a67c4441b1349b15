using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TaskLens.Ingest.Otlp;

/// <summary>The OTLP/JSON value lists that arrays and key-value lists render as (bounded by <see cref="MaxDepth"/>).</summary>
internal static partial class AnyValueText
{
    private static bool TryWriteAnyValue(Utf8JsonWriter json, ReadOnlySpan<byte> anyValue, int depth, out string? error)
    {
        if (!TryFindValue(anyValue, out var field, out _, out var payload, out var scalar, out error))
        {
            return false;
        }

        json.WriteStartObject();
        switch (field)
        {
            case StringValue:
                json.WriteString("stringValue", Encoding.UTF8.GetString(payload));
                break;
            case BoolValue:
                json.WriteBoolean("boolValue", scalar != 0);
                break;
            case IntValue:
                // OTLP/JSON writes int64 as a decimal string (proto3 JSON mapping).
                json.WriteString("intValue", ((long)scalar).ToString(CultureInfo.InvariantCulture));
                break;
            case DoubleValue:
                var d = BitConverter.UInt64BitsToDouble(scalar);
                if (double.IsFinite(d))
                {
                    json.WritePropertyName("doubleValue");
                    json.WriteRawValue(FormatDouble(d), skipInputValidation: true);
                }
                else
                {
                    json.WriteString("doubleValue", FormatDouble(d));
                }

                break;
            case BytesValue:
                json.WriteBase64String("bytesValue", payload);
                break;
            case ArrayValue or KvlistValue:
                if (depth >= MaxDepth)
                {
                    error = $"AnyValue nested deeper than {MaxDepth}";
                    return false;
                }

                json.WriteStartObject(field == ArrayValue ? "arrayValue" : "kvlistValue");
                json.WritePropertyName("values");
                var ok = field == ArrayValue
                    ? TryWriteArrayValues(json, payload, depth + 1, out error)
                    : TryWriteKeyValues(json, payload, depth + 1, out error);
                if (!ok)
                {
                    return false;
                }

                json.WriteEndObject();
                break;
            default:
                break;
        }

        json.WriteEndObject();
        return true;
    }

    private static bool TryWriteArrayValues(Utf8JsonWriter json, ReadOnlySpan<byte> arrayValue, int depth, out string? error)
    {
        error = null;
        json.WriteStartArray();
        var reader = new ProtoReader(arrayValue);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "ArrayValue: bad field tag";
                return false;
            }

            if (field != Values)
            {
                if (!reader.TrySkip(wireType))
                {
                    error = $"ArrayValue: field {field} truncated";
                    return false;
                }

                continue;
            }

            if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var value))
            {
                error = "ArrayValue: values truncated or of the wrong wire type";
                return false;
            }

            if (!TryWriteAnyValue(json, value, depth, out error))
            {
                return false;
            }
        }

        json.WriteEndArray();
        return true;
    }

    private static bool TryWriteKeyValues(Utf8JsonWriter json, ReadOnlySpan<byte> keyValueList, int depth, out string? error)
    {
        error = null;
        json.WriteStartArray();
        var reader = new ProtoReader(keyValueList);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "KeyValueList: bad field tag";
                return false;
            }

            if (field != Values)
            {
                if (!reader.TrySkip(wireType))
                {
                    error = $"KeyValueList: field {field} truncated";
                    return false;
                }

                continue;
            }

            if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var keyValue))
            {
                error = "KeyValueList: values truncated or of the wrong wire type";
                return false;
            }

            if (!TrySplitKeyValue(keyValue, out var key, out var value, out error))
            {
                return false;
            }

            json.WriteStartObject();
            json.WriteString("key", Encoding.UTF8.GetString(key));
            json.WritePropertyName("value");
            if (!TryWriteAnyValue(json, value, depth, out error))
            {
                return false;
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        return true;
    }
}
