namespace TaskLens.Core.Telemetry;

/// <summary>A span event.</summary>
public readonly record struct EventRecord(
    ulong TimeUnixNano,
    string Name,
    AttributeRange Attributes,
    uint DroppedAttributesCount);
