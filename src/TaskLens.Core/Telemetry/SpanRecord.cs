namespace TaskLens.Core.Telemetry;

/// <summary>
/// One span. Ids are held big-endian in integers: <see cref="TraceIdHigh"/> holds bytes 0-7 of the 16-byte
/// trace id, <see cref="TraceIdLow"/> bytes 8-15; a <see cref="ParentSpanId"/> of 0 means no parent.
/// </summary>
public record struct SpanRecord
{
    public int ResourceIndex { get; set; }
    public int ScopeIndex { get; set; }
    public ulong TraceIdHigh { get; set; }
    public ulong TraceIdLow { get; set; }
    public ulong SpanId { get; set; }
    public ulong ParentSpanId { get; set; }
    public string TraceState { get; set; }
    public uint Flags { get; set; }
    public string Name { get; set; }

    /// <summary>OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer.</summary>
    public int Kind { get; set; }
    public ulong StartTimeUnixNano { get; set; }
    public ulong EndTimeUnixNano { get; set; }
    public AttributeRange Attributes { get; set; }
    public uint DroppedAttributesCount { get; set; }
    public int EventStart { get; set; }
    public int EventCount { get; set; }
    public uint DroppedEventsCount { get; set; }
    public int LinkStart { get; set; }
    public int LinkCount { get; set; }
    public uint DroppedLinksCount { get; set; }

    /// <summary>OTLP StatusCode: 0 unset, 1 ok, 2 error.</summary>
    public int StatusCode { get; set; }
    public string StatusMessage { get; set; }
}
