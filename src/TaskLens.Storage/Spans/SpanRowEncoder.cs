using TaskLens.Core.Telemetry;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Telemetry;

namespace TaskLens.Storage.Spans;

/// <summary>
/// Encodes a <see cref="SpanBatch"/> as RowBinary rows of the <c>spans</c> table, straight from the batch's
/// value records: no row objects in between. Column order must match <see cref="Columns"/>.
/// </summary>
internal static class SpanRowEncoder
{
    public const string Table = "spans";

    public static readonly IReadOnlyList<string> Columns =
    [
        "tenant", "timestamp", "service_name", "name", "trace_id", "span_id", "parent_span_id", "trace_state",
        "flags", "kind", "start_time_unix_nano", "end_time_unix_nano", "duration_ns", "status_code", "status_message",
        "attr_keys", "attr_types", "attr_values", "dropped_attributes_count",
        "event_times", "event_names", "event_attr_keys", "event_attr_types", "event_attr_values",
        "event_dropped_attributes_counts", "dropped_events_count",
        "link_trace_ids", "link_span_ids", "link_trace_states", "link_flags", "link_attr_keys", "link_attr_types",
        "link_attr_values", "link_dropped_attributes_counts", "dropped_links_count",
        "resource_attr_keys", "resource_attr_types", "resource_attr_values", "resource_dropped_attributes_count",
        "resource_schema_url",
        "scope_name", "scope_version", "scope_attr_keys", "scope_attr_types", "scope_attr_values",
        "scope_dropped_attributes_count", "scope_schema_url",
        "ingested_at",
    ];

    public static void Encode(SpanBatch batch, RowBinaryWriter writer, uint ingestedAtUnixSeconds)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(writer);

        // What every span of a scope repeats — its service name, and the resource and scope columns from
        // resource_attr_keys to scope_schema_url, which are adjacent — is encoded once per scope and copied per span
        // (an SDK export has a handful of scopes for hundreds of spans, each resource with several attributes).
        using var shared = new RowBinaryWriter(4096);
        shared.WriteString(batch.Tenant);
        var tenantLength = shared.Length;
        var pieces = new (int Resource, int ServiceStart, int TailStart, int TailEnd)[batch.ScopeCount];
        foreach (ref readonly var span in batch.Spans)
        {
            ref var piece = ref pieces[span.ScopeIndex];
            if (piece.TailEnd == 0 || piece.Resource != span.ResourceIndex)
            {
                piece = EncodeShared(batch, span, shared);
            }

            var bytes = shared.WrittenMemory.Span;
            writer.WriteRaw(bytes[..tenantLength]);
            writer.WriteDateTime(TelemetryColumns.ToUnixSeconds(span.StartTimeUnixNano));
            writer.WriteRaw(bytes[piece.ServiceStart..piece.TailStart]);
            writer.WriteString(span.Name);
            writer.WriteUInt64BigEndian(span.TraceIdHigh);
            writer.WriteUInt64BigEndian(span.TraceIdLow);
            writer.WriteUInt64BigEndian(span.SpanId);
            writer.WriteUInt64BigEndian(span.ParentSpanId);
            writer.WriteString(span.TraceState);
            writer.WriteUInt32(span.Flags);
            writer.WriteInt8((sbyte)span.Kind);
            writer.WriteUInt64(span.StartTimeUnixNano);
            writer.WriteUInt64(span.EndTimeUnixNano);
            writer.WriteUInt64(span.EndTimeUnixNano > span.StartTimeUnixNano ? span.EndTimeUnixNano - span.StartTimeUnixNano : 0);
            writer.WriteUInt8((byte)span.StatusCode);
            writer.WriteString(span.StatusMessage);
            WriteAttributes(writer, batch.AttributesOf(span.Attributes));
            writer.WriteUInt32(span.DroppedAttributesCount);
            WriteEvents(writer, batch, batch.EventsOf(span));
            writer.WriteUInt32(span.DroppedEventsCount);
            WriteLinks(writer, batch, batch.LinksOf(span));
            writer.WriteUInt32(span.DroppedLinksCount);
            writer.WriteRaw(shared.WrittenMemory.Span[piece.TailStart..piece.TailEnd]);
            writer.WriteDateTime(ingestedAtUnixSeconds);
        }
    }

    /// <summary>The service name, then the resource and scope columns, of <paramref name="span"/>'s scope.</summary>
    private static (int Resource, int ServiceStart, int TailStart, int TailEnd) EncodeShared(SpanBatch batch, in SpanRecord span, RowBinaryWriter shared)
    {
        ref readonly var resource = ref batch.Resources[span.ResourceIndex];
        ref readonly var scope = ref batch.Scopes[span.ScopeIndex];
        var serviceStart = shared.Length;
        shared.WriteString(resource.ServiceName);
        var tailStart = shared.Length;
        WriteAttributes(shared, batch.AttributesOf(resource.Attributes));
        shared.WriteUInt32(resource.DroppedAttributesCount);
        shared.WriteString(resource.SchemaUrl);
        shared.WriteString(scope.Name);
        shared.WriteString(scope.Version);
        WriteAttributes(shared, batch.AttributesOf(scope.Attributes));
        shared.WriteUInt32(scope.DroppedAttributesCount);
        shared.WriteString(scope.SchemaUrl);
        return (span.ResourceIndex, serviceStart, tailStart, shared.Length);
    }

    private static void WriteAttributes(RowBinaryWriter writer, ReadOnlySpan<AttributeRecord> attributes)
    {
        writer.WriteArrayLength(attributes.Length);
        foreach (ref readonly var attribute in attributes)
        {
            writer.WriteString(attribute.Key);
        }

        writer.WriteArrayLength(attributes.Length);
        foreach (ref readonly var attribute in attributes)
        {
            writer.WriteUInt8((byte)attribute.Type);
        }

        writer.WriteArrayLength(attributes.Length);
        foreach (ref readonly var attribute in attributes)
        {
            writer.WriteString(attribute.Value);
        }
    }

    private static void WriteEvents(RowBinaryWriter writer, SpanBatch batch, ReadOnlySpan<EventRecord> events)
    {
        writer.WriteArrayLength(events.Length);
        foreach (ref readonly var e in events)
        {
            writer.WriteUInt64(e.TimeUnixNano);
        }

        writer.WriteArrayLength(events.Length);
        foreach (ref readonly var e in events)
        {
            writer.WriteString(e.Name);
        }

        WriteNestedAttributes(writer, batch, events, static e => e.Attributes);

        writer.WriteArrayLength(events.Length);
        foreach (ref readonly var e in events)
        {
            writer.WriteUInt32(e.DroppedAttributesCount);
        }
    }

    private static void WriteLinks(RowBinaryWriter writer, SpanBatch batch, ReadOnlySpan<LinkRecord> links)
    {
        writer.WriteArrayLength(links.Length);
        foreach (ref readonly var link in links)
        {
            writer.WriteUInt64BigEndian(link.TraceIdHigh);
            writer.WriteUInt64BigEndian(link.TraceIdLow);
        }

        writer.WriteArrayLength(links.Length);
        foreach (ref readonly var link in links)
        {
            writer.WriteUInt64BigEndian(link.SpanId);
        }

        writer.WriteArrayLength(links.Length);
        foreach (ref readonly var link in links)
        {
            writer.WriteString(link.TraceState);
        }

        writer.WriteArrayLength(links.Length);
        foreach (ref readonly var link in links)
        {
            writer.WriteUInt32(link.Flags);
        }

        WriteNestedAttributes(writer, batch, links, static l => l.Attributes);

        writer.WriteArrayLength(links.Length);
        foreach (ref readonly var link in links)
        {
            writer.WriteUInt32(link.DroppedAttributesCount);
        }
    }

    /// <summary>Writes the Array(Array(..)) key, type and value columns for the attributes of events or links.</summary>
    private static void WriteNestedAttributes<T>(
        RowBinaryWriter writer,
        SpanBatch batch,
        ReadOnlySpan<T> owners,
        Func<T, AttributeRange> rangeOf)
    {
        writer.WriteArrayLength(owners.Length);
        foreach (var owner in owners)
        {
            var attributes = batch.AttributesOf(rangeOf(owner));
            writer.WriteArrayLength(attributes.Length);
            foreach (ref readonly var attribute in attributes)
            {
                writer.WriteString(attribute.Key);
            }
        }

        writer.WriteArrayLength(owners.Length);
        foreach (var owner in owners)
        {
            var attributes = batch.AttributesOf(rangeOf(owner));
            writer.WriteArrayLength(attributes.Length);
            foreach (ref readonly var attribute in attributes)
            {
                writer.WriteUInt8((byte)attribute.Type);
            }
        }

        writer.WriteArrayLength(owners.Length);
        foreach (var owner in owners)
        {
            var attributes = batch.AttributesOf(rangeOf(owner));
            writer.WriteArrayLength(attributes.Length);
            foreach (ref readonly var attribute in attributes)
            {
                writer.WriteString(attribute.Value);
            }
        }
    }
}
