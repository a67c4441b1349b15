using System.Globalization;
using System.Text.Json;
using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;

namespace TaskLens.Server.Api;

/// <summary>
/// Writes stored spans as JSON shaped like OTLP/JSON (lowerCamelCase, hex ids, 64-bit integers as strings,
/// AnyValue objects) so a reader familiar with OTLP needs no new vocabulary and every value keeps its exact type.
/// </summary>
internal static class TraceJson
{
    /// <summary>A page of a trace: <c>truncated</c> says more spans follow, from <c>nextOffset</c>.</summary>
    public static void WriteTrace(Utf8JsonWriter json, string traceId, IReadOnlyList<StoredSpan> spans, int offset, bool truncated)
    {
        json.WriteStartObject();
        json.WriteString("traceId", traceId);
        json.WriteNumber("spanCount", spans.Count);
        json.WriteNumber("offset", offset);
        json.WriteBoolean("truncated", truncated);
        if (truncated)
        {
            json.WriteNumber("nextOffset", offset + spans.Count);
        }

        json.WriteStartArray("spans");
        foreach (var span in spans)
        {
            WriteSpan(json, span);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSpan(Utf8JsonWriter json, StoredSpan span)
    {
        json.WriteStartObject();
        json.WriteString("traceId", span.TraceId);
        json.WriteString("spanId", span.SpanId);
        json.WriteString("parentSpanId", span.ParentSpanId);
        json.WriteString("traceState", span.TraceState);
        json.WriteNumber("flags", span.Flags);
        json.WriteString("name", span.Name);
        json.WriteNumber("kind", span.Kind);
        WriteUInt64(json, "startTimeUnixNano", span.StartTimeUnixNano);
        WriteUInt64(json, "endTimeUnixNano", span.EndTimeUnixNano);
        WriteUInt64(json, "durationNanos", span.EndTimeUnixNano > span.StartTimeUnixNano ? span.EndTimeUnixNano - span.StartTimeUnixNano : 0);
        WriteAttributes(json, "attributes", span.Attributes);
        json.WriteNumber("droppedAttributesCount", span.DroppedAttributesCount);

        json.WriteStartArray("events");
        foreach (var e in span.Events)
        {
            json.WriteStartObject();
            WriteUInt64(json, "timeUnixNano", e.TimeUnixNano);
            json.WriteString("name", e.Name);
            WriteAttributes(json, "attributes", e.Attributes);
            json.WriteNumber("droppedAttributesCount", e.DroppedAttributesCount);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("droppedEventsCount", span.DroppedEventsCount);

        json.WriteStartArray("links");
        foreach (var link in span.Links)
        {
            json.WriteStartObject();
            json.WriteString("traceId", link.TraceId);
            json.WriteString("spanId", link.SpanId);
            json.WriteString("traceState", link.TraceState);
            json.WriteNumber("flags", link.Flags);
            WriteAttributes(json, "attributes", link.Attributes);
            json.WriteNumber("droppedAttributesCount", link.DroppedAttributesCount);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("droppedLinksCount", span.DroppedLinksCount);

        json.WriteStartObject("status");
        json.WriteNumber("code", span.StatusCode);
        json.WriteString("message", span.StatusMessage);
        json.WriteEndObject();

        json.WriteString("serviceName", span.ServiceName);
        json.WriteStartObject("resource");
        WriteAttributes(json, "attributes", span.Resource.Attributes);
        json.WriteNumber("droppedAttributesCount", span.Resource.DroppedAttributesCount);
        json.WriteString("schemaUrl", span.Resource.SchemaUrl);
        json.WriteEndObject();

        json.WriteStartObject("scope");
        json.WriteString("name", span.Scope.Name);
        json.WriteString("version", span.Scope.Version);
        WriteAttributes(json, "attributes", span.Scope.Attributes);
        json.WriteNumber("droppedAttributesCount", span.Scope.DroppedAttributesCount);
        json.WriteString("schemaUrl", span.Scope.SchemaUrl);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    internal static void WriteAttributes(Utf8JsonWriter json, string name, IReadOnlyList<AttributeRecord> attributes)
    {
        json.WriteStartArray(name);
        foreach (var attribute in attributes)
        {
            json.WriteStartObject();
            json.WriteString("key", attribute.Key);
            json.WritePropertyName("value");
            AnyValueJsonWriter.Write(json, attribute.Type, attribute.Value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    internal static void WriteUInt64(Utf8JsonWriter json, string name, ulong value) =>
        json.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
}
