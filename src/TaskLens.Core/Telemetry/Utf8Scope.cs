namespace TaskLens.Core.Telemetry;

/// <summary>An InstrumentationScope as UTF-8 text in a <see cref="Utf8SpanParts"/> (<see cref="ISpanRowWriter.Scope"/>).</summary>
public readonly record struct Utf8Scope(Utf8Range Name, Utf8Range Version, AttributeRange Attributes, uint DroppedAttributesCount, Utf8Range SchemaUrl);
