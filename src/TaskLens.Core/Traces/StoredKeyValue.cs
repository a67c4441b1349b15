using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Traces;

/// <summary>An attribute with its OTLP value kind and canonical text (see <see cref="AttributeValueType"/>).</summary>
public sealed record StoredKeyValue(string Key, AttributeValueType Type, string Value);
