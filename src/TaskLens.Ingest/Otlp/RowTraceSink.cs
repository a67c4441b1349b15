using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// <see cref="OtlpTraceDecoder"/>'s walk into storage rows (<see cref="OtlpTraceDecoder.DecodeRows"/>): each accepted
/// span goes to an <see cref="ISpanRowWriter"/> as UTF-8 in <see cref="Utf8SpanParts"/> — a resource and its scopes in
/// <c>shared</c>, a span in <c>span</c> — with values rendered as <see cref="AnyValueText.TryDecode"/> would, as bytes.
/// </summary>
internal struct RowTraceSink(ISpanRowWriter rows, Utf8SpanParts shared, Utf8SpanParts span) : ITraceSink
{
    private Utf8Range _serviceName;
    private bool _hasServiceName;

    public readonly int AttributeCount(AttributeOwner owner) => (owner == AttributeOwner.Item ? span : shared).AttributeCount;

    public bool TryAdd(AttributeOwner owner, ReadOnlySpan<byte> key, ReadOnlySpan<byte> anyValue, out string? error)
    {
        var parts = owner == AttributeOwner.Item ? span : shared;
        if (!AnyValueText.TryRender(anyValue, parts, out var type, out var text, out error))
        {
            return false;
        }

        parts.AddAttribute(new Utf8KeyValue(parts.AddText(key), type, text));
        if (owner == AttributeOwner.Resource && type == AttributeValueType.String && key.SequenceEqual("service.name"u8))
        {
            _serviceName = text;
            _hasServiceName = true;
        }

        return true;
    }

    public void BeginResource()
    {
        shared.Clear();
        _hasServiceName = false;
    }

    public readonly void EndResource(int attributesStart, uint droppedAttributesCount, ReadOnlySpan<byte> schemaUrl)
    {
        var serviceName = _hasServiceName ? _serviceName : shared.AddText("unknown_service"u8);
        rows.Resource(shared, new Utf8Resource(
            serviceName, new AttributeRange(attributesStart, shared.AttributeCount - attributesStart), droppedAttributesCount, shared.AddText(schemaUrl)));
    }

    public readonly void EndScope(int attributesStart, ReadOnlySpan<byte> name, ReadOnlySpan<byte> version, uint droppedAttributesCount, ReadOnlySpan<byte> schemaUrl) =>
        rows.Scope(shared, new Utf8Scope(
            shared.AddText(name),
            shared.AddText(version),
            new AttributeRange(attributesStart, shared.AttributeCount - attributesStart),
            droppedAttributesCount,
            shared.AddText(schemaUrl)));

    public readonly void BeginSpan() => span.Clear();

    public readonly void AddEvent(ulong timeUnixNano, ReadOnlySpan<byte> name, AttributeRange attributes, uint droppedAttributesCount) =>
        span.AddEvent(new Utf8Event(timeUnixNano, span.AddText(name), attributes, droppedAttributesCount));

    public readonly void AddLink(in TraceLinkFields link) =>
        span.AddLink(new Utf8Link(link.TraceIdHigh, link.TraceIdLow, link.SpanId, span.AddText(link.TraceState), link.Flags, link.Attributes, link.DroppedAttributesCount));

    public readonly void RejectSpan()
    {
        // Nothing was written: the span's parts are cleared when the next one begins.
    }

    public readonly void AddSpan(in TraceSpanFields fields) => rows.Span(span, new Utf8Span
    {
        TraceIdHigh = fields.TraceIdHigh,
        TraceIdLow = fields.TraceIdLow,
        SpanId = fields.SpanId,
        ParentSpanId = fields.ParentSpanId,
        TraceState = span.AddText(fields.TraceState),
        Flags = fields.Flags,
        Name = span.AddText(fields.Name),
        Kind = fields.Kind,
        StartTimeUnixNano = fields.StartTimeUnixNano,
        EndTimeUnixNano = fields.EndTimeUnixNano,
        Attributes = fields.Attributes,
        DroppedAttributesCount = fields.DroppedAttributesCount,
        DroppedEventsCount = fields.DroppedEventsCount,
        DroppedLinksCount = fields.DroppedLinksCount,
        StatusCode = fields.StatusCode,
        StatusMessage = span.AddText(fields.StatusMessage),
    });
}
