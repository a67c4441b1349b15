namespace TaskLens.Core.Telemetry;

/// <summary>An OTLP InstrumentationScope with the schema URL of its ScopeLogs or ScopeMetrics.</summary>
public sealed record TelemetryScope(
    string Name,
    string Version,
    IReadOnlyList<AttributeRecord> Attributes,
    uint DroppedAttributesCount,
    string SchemaUrl);
