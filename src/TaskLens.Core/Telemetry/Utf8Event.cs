namespace TaskLens.Core.Telemetry;

/// <summary>A span event of a <see cref="Utf8SpanParts"/>; its attributes are a range of the parts' attributes.</summary>
public readonly record struct Utf8Event(ulong TimeUnixNano, Utf8Range Name, AttributeRange Attributes, uint DroppedAttributesCount);
