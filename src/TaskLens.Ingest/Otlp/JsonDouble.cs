using System.Globalization;
using System.Text.Json;

namespace TaskLens.Ingest.Otlp;

/// <summary>Doubles in OTLP/JSON, which follows the proto3 JSON mapping for them.</summary>
internal static class JsonDouble
{
    /// <summary>A JSON number, or a string holding a number or "NaN", "Infinity", "-Infinity" (proto3 JSON).</summary>
    public static bool TryRead(JsonElement element, out double value)
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
