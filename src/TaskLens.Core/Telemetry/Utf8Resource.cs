namespace TaskLens.Core.Telemetry;

/// <summary>
/// A Resource as UTF-8 text in a <see cref="Utf8SpanParts"/> (<see cref="ISpanRowWriter.Resource"/>): the
/// <c>service.name</c> string attribute (or <c>unknown_service</c>), the attributes, their dropped count and the schema URL.
/// </summary>
public readonly record struct Utf8Resource(Utf8Range ServiceName, AttributeRange Attributes, uint DroppedAttributesCount, Utf8Range SchemaUrl);
