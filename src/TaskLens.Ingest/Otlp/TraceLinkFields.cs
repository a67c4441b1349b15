using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>One span link as <see cref="OtlpTraceDecoder"/> read it, for <see cref="ITraceSink.AddLink"/>.</summary>
internal ref struct TraceLinkFields
{
    public ulong TraceIdHigh;
    public ulong TraceIdLow;
    public ulong SpanId;
    public ReadOnlySpan<byte> TraceState;
    public uint Flags;
    public AttributeRange Attributes;
    public uint DroppedAttributesCount;
}
