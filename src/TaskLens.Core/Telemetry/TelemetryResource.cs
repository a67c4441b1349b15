namespace TaskLens.Core.Telemetry;

/// <summary>
/// An OTLP Resource shared by the log records or metric points decoded under it (logs and metrics keep one object
/// per record; spans use the flat <see cref="SpanBatch"/> instead because they are the hot path).
/// </summary>
public sealed record TelemetryResource(
    IReadOnlyList<AttributeRecord> Attributes,
    uint DroppedAttributesCount,
    string SchemaUrl,
    string ServiceName);
