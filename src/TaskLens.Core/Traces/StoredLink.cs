using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Traces;

public sealed record StoredLink(
    string TraceId,
    string SpanId,
    string TraceState,
    uint Flags,
    IReadOnlyList<AttributeRecord> Attributes,
    uint DroppedAttributesCount);
