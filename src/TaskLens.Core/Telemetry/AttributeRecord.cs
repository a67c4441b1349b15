namespace TaskLens.Core.Telemetry;

/// <summary>One attribute, as decoded and as stored and read back; <see cref="Value"/> is the canonical text for <see cref="Type"/>.</summary>
public readonly record struct AttributeRecord(string Key, AttributeValueType Type, string Value);
