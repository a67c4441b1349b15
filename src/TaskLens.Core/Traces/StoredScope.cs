using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Traces;

public sealed record StoredScope(
    string Name,
    string Version,
    IReadOnlyList<AttributeRecord> Attributes,
    uint DroppedAttributesCount,
    string SchemaUrl);
