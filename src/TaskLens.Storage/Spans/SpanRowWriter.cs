using TaskLens.Core.Telemetry;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Telemetry;

namespace TaskLens.Storage.Spans;

/// <summary>
/// Writes spans as RowBinary rows of the <c>spans</c> table (<see cref="SpansTable.Columns"/>) as a decoder reads
/// them (<see cref="ISpanRowWriter"/>): UTF-8 text copied as it is, no string in between. The one writer of span rows:
/// the tests' batch-of-strings reference (<c>SpanBatchRows</c>) writes a <see cref="SpanBatch"/> through it too, and the
/// drainer's decode gives byte for byte the rows of that batch path (<c>SpanRowWriterTests</c>), as does the spool-off path's (it is the same decode, per export). The service name and the resource and scope
/// columns are encoded once per scope and copied per span.
/// </summary>
internal sealed class SpanRowWriter : ISpanRowWriter, IDisposable
{
    private readonly RowBinaryWriter _rows;
    private readonly RowBinaryWriter _shared = new(4096);
    private readonly byte[] _tenant;
    private readonly uint _ingestedAt;
    private Utf8Resource _resource;
    private int _tailStart;

    public SpanRowWriter(RowBinaryWriter rows, string tenant, uint ingestedAtUnixSeconds)
    {
        _rows = rows;
        _ingestedAt = ingestedAtUnixSeconds;
        using var encoded = new RowBinaryWriter(64);
        encoded.WriteString(tenant);
        _tenant = encoded.WrittenMemory.ToArray();
    }

    public int SpanCount { get; private set; }

    public void Dispose() => _shared.Dispose();

    public void Resource(Utf8SpanParts parts, in Utf8Resource resource) => _resource = resource;

    public void Scope(Utf8SpanParts parts, in Utf8Scope scope)
    {
        ArgumentNullException.ThrowIfNull(parts);
        _shared.Reset();
        _shared.WriteString(parts.Text(_resource.ServiceName));
        _tailStart = _shared.Length;
        WriteAttributes(_shared, parts, parts.AttributesOf(_resource.Attributes));
        _shared.WriteUInt32(_resource.DroppedAttributesCount);
        _shared.WriteString(parts.Text(_resource.SchemaUrl));
        _shared.WriteString(parts.Text(scope.Name));
        _shared.WriteString(parts.Text(scope.Version));
        WriteAttributes(_shared, parts, parts.AttributesOf(scope.Attributes));
        _shared.WriteUInt32(scope.DroppedAttributesCount);
        _shared.WriteString(parts.Text(scope.SchemaUrl));
    }

    public void Span(Utf8SpanParts parts, in Utf8Span span)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var writer = _rows;
        var shared = _shared.WrittenMemory.Span;
        writer.WriteRaw(_tenant);
        writer.WriteDateTime(TelemetryColumns.ToUnixSeconds(span.StartTimeUnixNano));
        writer.WriteRaw(shared[.._tailStart]);
        writer.WriteString(parts.Text(span.Name));
        writer.WriteUInt64BigEndian(span.TraceIdHigh);
        writer.WriteUInt64BigEndian(span.TraceIdLow);
        writer.WriteUInt64BigEndian(span.SpanId);
        writer.WriteUInt64BigEndian(span.ParentSpanId);
        writer.WriteString(parts.Text(span.TraceState));
        writer.WriteUInt32(span.Flags);
        writer.WriteInt8((sbyte)span.Kind);
        writer.WriteUInt64(span.StartTimeUnixNano);
        writer.WriteUInt64(span.EndTimeUnixNano);
        writer.WriteUInt64(span.EndTimeUnixNano > span.StartTimeUnixNano ? span.EndTimeUnixNano - span.StartTimeUnixNano : 0);
        writer.WriteUInt8((byte)span.StatusCode);
        writer.WriteString(parts.Text(span.StatusMessage));
        WriteAttributes(writer, parts, parts.AttributesOf(span.Attributes));
        writer.WriteUInt32(span.DroppedAttributesCount);
        WriteEvents(writer, parts);
        writer.WriteUInt32(span.DroppedEventsCount);
        WriteLinks(writer, parts);
        writer.WriteUInt32(span.DroppedLinksCount);
        writer.WriteRaw(shared[_tailStart..]);
        writer.WriteDateTime(_ingestedAt);
        SpanCount++;
    }

    private static void WriteAttributes(RowBinaryWriter writer, Utf8SpanParts parts, ReadOnlySpan<Utf8KeyValue> attributes)
    {
        WriteKeys(writer, parts, attributes);
        WriteTypes(writer, attributes);
        WriteValues(writer, parts, attributes);
    }

    private static void WriteEvents(RowBinaryWriter writer, Utf8SpanParts parts)
    {
        var events = parts.Events;
        writer.WriteArrayLength(events.Length);
        foreach (ref readonly var e in events)
        {
            writer.WriteUInt64(e.TimeUnixNano);
        }

        writer.WriteArrayLength(events.Length);
        foreach (ref readonly var e in events)
        {
            writer.WriteString(parts.Text(e.Name));
        }

        WriteNestedAttributes(writer, parts, events, static e => e.Attributes);

        writer.WriteArrayLength(events.Length);
        foreach (ref readonly var e in events)
        {
            writer.WriteUInt32(e.DroppedAttributesCount);
        }
    }

    private static void WriteLinks(RowBinaryWriter writer, Utf8SpanParts parts)
    {
        var links = parts.Links;
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
            writer.WriteString(parts.Text(link.TraceState));
        }

        writer.WriteArrayLength(links.Length);
        foreach (ref readonly var link in links)
        {
            writer.WriteUInt32(link.Flags);
        }

        WriteNestedAttributes(writer, parts, links, static l => l.Attributes);

        writer.WriteArrayLength(links.Length);
        foreach (ref readonly var link in links)
        {
            writer.WriteUInt32(link.DroppedAttributesCount);
        }
    }

    /// <summary>The Array(Array(..)) key, type and value columns of the attributes of events or links.</summary>
    private static void WriteNestedAttributes<T>(RowBinaryWriter writer, Utf8SpanParts parts, ReadOnlySpan<T> owners, Func<T, AttributeRange> rangeOf)
    {
        writer.WriteArrayLength(owners.Length);
        foreach (var owner in owners)
        {
            WriteKeys(writer, parts, parts.AttributesOf(rangeOf(owner)));
        }

        writer.WriteArrayLength(owners.Length);
        foreach (var owner in owners)
        {
            WriteTypes(writer, parts.AttributesOf(rangeOf(owner)));
        }

        writer.WriteArrayLength(owners.Length);
        foreach (var owner in owners)
        {
            WriteValues(writer, parts, parts.AttributesOf(rangeOf(owner)));
        }
    }

    private static void WriteKeys(RowBinaryWriter writer, Utf8SpanParts parts, ReadOnlySpan<Utf8KeyValue> attributes)
    {
        writer.WriteArrayLength(attributes.Length);
        foreach (ref readonly var attribute in attributes)
        {
            writer.WriteString(parts.Text(attribute.Key));
        }
    }

    private static void WriteTypes(RowBinaryWriter writer, ReadOnlySpan<Utf8KeyValue> attributes)
    {
        writer.WriteArrayLength(attributes.Length);
        foreach (ref readonly var attribute in attributes)
        {
            writer.WriteUInt8((byte)attribute.Type);
        }
    }

    private static void WriteValues(RowBinaryWriter writer, Utf8SpanParts parts, ReadOnlySpan<Utf8KeyValue> attributes)
    {
        writer.WriteArrayLength(attributes.Length);
        foreach (ref readonly var attribute in attributes)
        {
            writer.WriteString(parts.Text(attribute.Value));
        }
    }
}
