using System.Globalization;
using System.Text.Json;

namespace TaskLens.Core.Telemetry;

/// <summary>
/// Writes a stored attribute value — its <see cref="AttributeValueType"/> and canonical text — as an OTLP/JSON
/// <c>AnyValue</c> object. Arrays and key-value lists are held as their OTLP/JSON value lists already and are
/// copied through as raw JSON.
/// </summary>
public static class AnyValueJsonWriter
{
    public static void Write(Utf8JsonWriter json, AttributeValueType type, string text)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        switch (type)
        {
            case AttributeValueType.String:
                json.WriteString("stringValue", text);
                break;
            case AttributeValueType.Bool:
                json.WriteBoolean("boolValue", text == "true");
                break;
            case AttributeValueType.Int:
                // OTLP/JSON carries int64 as a decimal string (proto3 JSON mapping).
                json.WriteString("intValue", text);
                break;
            case AttributeValueType.Double:
                // JSON has no NaN or infinities; the proto3 JSON mapping spells them as strings.
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
                {
                    json.WritePropertyName("doubleValue");
                    json.WriteRawValue(text, skipInputValidation: true);
                }
                else
                {
                    json.WriteString("doubleValue", text);
                }

                break;
            case AttributeValueType.Bytes:
                json.WriteString("bytesValue", text);
                break;
            case AttributeValueType.Array or AttributeValueType.KeyValueList:
                json.WriteStartObject(type == AttributeValueType.Array ? "arrayValue" : "kvlistValue");
                json.WritePropertyName("values");
                WriteValues(json, text);
                json.WriteEndObject();
                break;
            default:
                break;
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// Copies a stored value list through the writer rather than raw, so its strings get the writer's escaping (stored
    /// text was written with relaxed escaping, and an API answer must not pass markup through).
    /// </summary>
    private static void WriteValues(Utf8JsonWriter json, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            document.RootElement.WriteTo(json);
        }
        catch (JsonException)
        {
            json.WriteStartArray();
            json.WriteEndArray();
        }
    }
}
