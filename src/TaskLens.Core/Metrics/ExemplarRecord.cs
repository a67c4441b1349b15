using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Metrics;

/// <summary>An OTLP Exemplar: one measurement with the span it was recorded in (ids zero when absent).</summary>
public sealed record ExemplarRecord(
    ulong TimeUnixNano,
    double Value,
    ulong TraceIdHigh,
    ulong TraceIdLow,
    ulong SpanId,
    IReadOnlyList<AttributeRecord> FilteredAttributes);
