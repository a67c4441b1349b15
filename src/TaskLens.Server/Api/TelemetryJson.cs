using System.Text.Json;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Telemetry;

namespace TaskLens.Server.Api;

/// <summary>Writes stored log records and metric points as JSON in the style of <see cref="TraceJson"/>.</summary>
internal static class TelemetryJson
{
    public static void WriteLogs(Utf8JsonWriter json, IReadOnlyList<StoredLog> logs)
    {
        json.WriteStartObject();
        json.WriteNumber("count", logs.Count);
        json.WriteStartArray("logs");
        foreach (var log in logs)
        {
            json.WriteStartObject();
            TraceJson.WriteUInt64(json, "timeUnixNano", log.TimeUnixNano);
            TraceJson.WriteUInt64(json, "observedTimeUnixNano", log.ObservedTimeUnixNano);
            json.WriteString("serviceName", log.ServiceName);
            json.WriteNumber("severityNumber", log.SeverityNumber);
            json.WriteString("severityText", log.SeverityText);
            json.WritePropertyName("body");
            AnyValueJsonWriter.Write(json, log.BodyType, log.Body);
            json.WriteString("traceId", log.TraceId);
            json.WriteString("spanId", log.SpanId);
            json.WriteNumber("flags", log.Flags);
            json.WriteString("eventName", log.EventName);
            TraceJson.WriteAttributes(json, "attributes", log.Attributes);
            json.WriteNumber("droppedAttributesCount", log.DroppedAttributesCount);
            TraceJson.WriteAttributes(json, "resourceAttributes", log.Resource.Attributes);
            json.WriteString("scopeName", log.Scope.Name);
            json.WriteString("scopeVersion", log.Scope.Version);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WritePoints(Utf8JsonWriter json, string name, IReadOnlyList<StoredMetricPoint> points)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteNumber("count", points.Count);
        json.WriteStartArray("points");
        foreach (var p in points)
        {
            json.WriteStartObject();
            json.WriteString("type", TypeName(p.Type));
            json.WriteString("unit", p.Unit);
            json.WriteString("description", p.Description);
            json.WriteNumber("aggregationTemporality", p.Temporality);
            json.WriteBoolean("isMonotonic", p.IsMonotonic);
            json.WriteString("serviceName", p.ServiceName);
            TraceJson.WriteAttributes(json, "attributes", p.Attributes);
            TraceJson.WriteUInt64(json, "startTimeUnixNano", p.StartTimeUnixNano);
            TraceJson.WriteUInt64(json, "timeUnixNano", p.TimeUnixNano);
            json.WriteNumber("flags", p.Flags);
            switch (p.Type)
            {
                case MetricType.Gauge or MetricType.Sum:
                    WriteDouble(json, p.IsInteger ? "asInt" : "asDouble", p.Value);
                    break;
                case MetricType.Histogram:
                    WriteDistribution(json, p);
                    WriteArray(json, "bucketCounts", p.BucketCounts);
                    WriteArray(json, "explicitBounds", p.ExplicitBounds);
                    break;
                case MetricType.ExponentialHistogram:
                    WriteDistribution(json, p);
                    json.WriteNumber("scale", p.Scale);
                    TraceJson.WriteUInt64(json, "zeroCount", p.ZeroCount);
                    WriteDouble(json, "zeroThreshold", p.ZeroThreshold);
                    WriteBuckets(json, "positive", p.PositiveOffset, p.PositiveBucketCounts);
                    WriteBuckets(json, "negative", p.NegativeOffset, p.NegativeBucketCounts);
                    break;
                default:
                    WriteDistribution(json, p);
                    json.WriteStartArray("quantileValues");
                    for (var i = 0; i < p.Quantiles.Count; i++)
                    {
                        json.WriteStartObject();
                        WriteDouble(json, "quantile", p.Quantiles[i]);
                        WriteDouble(json, "value", p.QuantileValues[i]);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    break;
            }

            json.WriteStartArray("exemplars");
            foreach (var e in p.Exemplars)
            {
                json.WriteStartObject();
                TraceJson.WriteUInt64(json, "timeUnixNano", e.TimeUnixNano);
                WriteDouble(json, "value", e.Value);
                json.WriteString("traceId", e.TraceId);
                json.WriteString("spanId", e.SpanId);
                TraceJson.WriteAttributes(json, "filteredAttributes", e.FilteredAttributes);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static string TypeName(MetricType type) => type switch
    {
        MetricType.Gauge => "gauge",
        MetricType.Sum => "sum",
        MetricType.Histogram => "histogram",
        MetricType.ExponentialHistogram => "exponentialHistogram",
        _ => "summary",
    };

    private static void WriteDistribution(Utf8JsonWriter json, StoredMetricPoint p)
    {
        TraceJson.WriteUInt64(json, "count", p.Count);
        WriteNullable(json, "sum", p.Sum);
        WriteNullable(json, "min", p.Min);
        WriteNullable(json, "max", p.Max);
    }

    private static void WriteBuckets(Utf8JsonWriter json, string name, int offset, IReadOnlyList<ulong> counts)
    {
        json.WriteStartObject(name);
        json.WriteNumber("offset", offset);
        WriteArray(json, "bucketCounts", counts);
        json.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IReadOnlyList<ulong> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            json.WriteStringValue(v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        json.WriteEndArray();
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IReadOnlyList<double> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            WriteDoubleValue(json, v);
        }

        json.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            WriteDouble(json, name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteDouble(Utf8JsonWriter json, string name, double value)
    {
        json.WritePropertyName(name);
        WriteDoubleValue(json, value);
    }

    /// <summary>Finite numbers as numbers; NaN and the infinities as the strings OTLP/JSON uses for them.</summary>
    private static void WriteDoubleValue(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
