using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Traces;

public sealed record StoredLink(
    string TraceId,
    string SpanId,
    string TraceState,
    uint Flags,
    IReadOnlyList<StoredKeyValue> Attributes,
    uint DroppedAttributesCount);
