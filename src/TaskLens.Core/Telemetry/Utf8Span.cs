namespace TaskLens.Core.Telemetry;

/// <summary>
/// One span as <see cref="ISpanRowWriter.Span"/> receives it: the scalars of <see cref="SpanRecord"/>, its text as
/// ranges of a <see cref="Utf8SpanParts"/>, and its attributes as a range of the parts' attributes (the parts' events
/// and links are all the span's).
/// </summary>
public record struct Utf8Span
{
    public ulong TraceIdHigh { get; set; }
    public ulong TraceIdLow { get; set; }
    public ulong SpanId { get; set; }

    /// <summary>0 when the span has no parent.</summary>
    public ulong ParentSpanId { get; set; }
    public Utf8Range TraceState { get; set; }
    public uint Flags { get; set; }
    public Utf8Range Name { get; set; }

    /// <summary>OTLP SpanKind (0-5).</summary>
    public int Kind { get; set; }
    public ulong StartTimeUnixNano { get; set; }
    public ulong EndTimeUnixNano { get; set; }
    public AttributeRange Attributes { get; set; }
    public uint DroppedAttributesCount { get; set; }
    public uint DroppedEventsCount { get; set; }
    public uint DroppedLinksCount { get; set; }

    /// <summary>OTLP StatusCode: 0 unset, 1 ok, 2 error.</summary>
    public int StatusCode { get; set; }
    public Utf8Range StatusMessage { get; set; }
}
