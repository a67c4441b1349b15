using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Traces;

public sealed record StoredResource(IReadOnlyList<StoredKeyValue> Attributes, uint DroppedAttributesCount, string SchemaUrl);
