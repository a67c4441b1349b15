namespace TaskLens.Core.Telemetry;

/// <summary>An OTLP InstrumentationScope with the schema URL of its ScopeSpans.</summary>
public readonly record struct ScopeRecord(
    string Name,
    string Version,
    AttributeRange Attributes,
    uint DroppedAttributesCount,
    string SchemaUrl);
