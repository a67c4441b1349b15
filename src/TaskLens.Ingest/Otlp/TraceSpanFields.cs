using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// One span as <see cref="OtlpTraceDecoder"/> read it, for <see cref="ITraceSink.AddSpan"/>: scalars as decoded, text as
/// slices of the export (the last occurrence of a repeated field, as protobuf parsers keep it), attributes as a range.
/// </summary>
internal ref struct TraceSpanFields
{
    public ulong TraceIdHigh;
    public ulong TraceIdLow;
    public ulong SpanId;
    public ulong ParentSpanId;
    public ReadOnlySpan<byte> TraceState;
    public uint Flags;
    public ReadOnlySpan<byte> Name;

    /// <summary>OTLP SpanKind; an unknown future kind is kept as unspecified (the column is Int8).</summary>
    public int Kind;
    public ulong StartTimeUnixNano;
    public ulong EndTimeUnixNano;
    public AttributeRange Attributes;
    public uint DroppedAttributesCount;
    public uint DroppedEventsCount;
    public uint DroppedLinksCount;

    /// <summary>OTLP StatusCode: 0 unset, 1 ok, 2 error (an unknown one as unset).</summary>
    public int StatusCode;
    public ReadOnlySpan<byte> StatusMessage;
}
