using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;

namespace TaskLens.Core.Metrics;

/// <summary>An exemplar as read back; ids lowercase hex, empty when absent.</summary>
public sealed record StoredExemplar(ulong TimeUnixNano, double Value, string TraceId, string SpanId, IReadOnlyList<AttributeRecord> FilteredAttributes);
