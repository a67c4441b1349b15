using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Traces;

public sealed record StoredResource(IReadOnlyList<AttributeRecord> Attributes, uint DroppedAttributesCount, string SchemaUrl);
