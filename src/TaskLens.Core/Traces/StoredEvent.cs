using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Traces;

public sealed record StoredEvent(ulong TimeUnixNano, string Name, IReadOnlyList<AttributeRecord> Attributes, uint DroppedAttributesCount);
