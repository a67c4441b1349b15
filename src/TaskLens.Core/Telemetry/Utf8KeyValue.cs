namespace TaskLens.Core.Telemetry;

/// <summary>An attribute as UTF-8 text in a <see cref="Utf8SpanParts"/>: key, kind and canonical value text (<see cref="AttributeValueType"/>).</summary>
public readonly record struct Utf8KeyValue(Utf8Range Key, AttributeValueType Type, Utf8Range Value);
