namespace TaskLens.Core.Telemetry;

/// <summary>An OTLP Resource with the schema URL of its ResourceSpans.</summary>
public readonly record struct ResourceRecord(
    AttributeRange Attributes,
    uint DroppedAttributesCount,
    string SchemaUrl,
    string ServiceName);
