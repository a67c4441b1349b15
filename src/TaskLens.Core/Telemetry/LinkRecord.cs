namespace TaskLens.Core.Telemetry;

/// <summary>A span link; ids as in <see cref="SpanRecord"/>.</summary>
public readonly record struct LinkRecord(
    ulong TraceIdHigh,
    ulong TraceIdLow,
    ulong SpanId,
    string TraceState,
    uint Flags,
    AttributeRange Attributes,
    uint DroppedAttributesCount);
