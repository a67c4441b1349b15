namespace TaskLens.Core.Telemetry;

/// <summary>A span link of a <see cref="Utf8SpanParts"/>; its attributes are a range of the parts' attributes.</summary>
public readonly record struct Utf8Link(
    ulong TraceIdHigh, ulong TraceIdLow, ulong SpanId, Utf8Range TraceState, uint Flags, AttributeRange Attributes, uint DroppedAttributesCount);
