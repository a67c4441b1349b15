using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;

namespace TaskLens.UnitTests.TestSupport;

/// <summary>
/// <see cref="OtlpTraceDecoder"/>'s walk into a <see cref="SpanBatch"/> of strings (<see cref="SpanBatchDecoder.Decode"/>).
/// </summary>
internal struct BatchTraceSink(SpanBatch batch) : ITraceSink
{
    private string _serviceName = OtlpCommon.UnknownService;
    private int _resourceIndex;
    private int _scopeIndex;
    private SpanBatchMark _span;

    public readonly int AttributeCount(AttributeOwner owner) => batch.AttributeCount;

    public bool TryAdd(AttributeOwner owner, ReadOnlySpan<byte> key, ReadOnlySpan<byte> anyValue, out string? error)
    {
        if (!AnyValueText.TryDecode(anyValue, out var type, out var text, out error))
        {
            return false;
        }

        batch.AddAttribute(new AttributeRecord(OtlpTraceDecoder.DecodeString(key), type, text));

        if (owner == AttributeOwner.Resource && type == AttributeValueType.String && key.SequenceEqual("service.name"u8))
        {
            _serviceName = text;
        }

        return true;
    }

    public void BeginResource() => _serviceName = OtlpCommon.UnknownService;

    public void EndResource(int attributesStart, uint droppedAttributesCount, ReadOnlySpan<byte> schemaUrl) =>
        _resourceIndex = batch.AddResource(new ResourceRecord(
            new AttributeRange(attributesStart, batch.AttributeCount - attributesStart),
            droppedAttributesCount,
            OtlpTraceDecoder.DecodeString(schemaUrl),
            _serviceName));

    public void EndScope(int attributesStart, ReadOnlySpan<byte> name, ReadOnlySpan<byte> version, uint droppedAttributesCount, ReadOnlySpan<byte> schemaUrl) =>
        _scopeIndex = batch.AddScope(new ScopeRecord(
            OtlpTraceDecoder.DecodeString(name),
            OtlpTraceDecoder.DecodeString(version),
            new AttributeRange(attributesStart, batch.AttributeCount - attributesStart),
            droppedAttributesCount,
            OtlpTraceDecoder.DecodeString(schemaUrl)));

    public void BeginSpan() => _span = batch.Mark();

    public readonly void AddEvent(ulong timeUnixNano, ReadOnlySpan<byte> name, AttributeRange attributes, uint droppedAttributesCount) =>
        batch.AddEvent(new EventRecord(timeUnixNano, OtlpTraceDecoder.DecodeString(name), attributes, droppedAttributesCount));

    public readonly void AddLink(in TraceLinkFields link) =>
        batch.AddLink(new LinkRecord(
            link.TraceIdHigh, link.TraceIdLow, link.SpanId, OtlpTraceDecoder.DecodeString(link.TraceState), link.Flags, link.Attributes, link.DroppedAttributesCount));

    public readonly void RejectSpan() => batch.Truncate(_span);

    public readonly void AddSpan(in TraceSpanFields span) => batch.AddSpan(new SpanRecord
    {
        ResourceIndex = _resourceIndex,
        ScopeIndex = _scopeIndex,
        TraceIdHigh = span.TraceIdHigh,
        TraceIdLow = span.TraceIdLow,
        SpanId = span.SpanId,
        ParentSpanId = span.ParentSpanId,
        TraceState = OtlpTraceDecoder.DecodeString(span.TraceState),
        Flags = span.Flags,
        Name = OtlpTraceDecoder.DecodeString(span.Name),
        Kind = span.Kind,
        StartTimeUnixNano = span.StartTimeUnixNano,
        EndTimeUnixNano = span.EndTimeUnixNano,
        Attributes = span.Attributes,
        DroppedAttributesCount = span.DroppedAttributesCount,
        EventStart = _span.Events,
        EventCount = batch.EventCount - _span.Events,
        DroppedEventsCount = span.DroppedEventsCount,
        LinkStart = _span.Links,
        LinkCount = batch.LinkCount - _span.Links,
        DroppedLinksCount = span.DroppedLinksCount,
        StatusCode = span.StatusCode,
        StatusMessage = OtlpTraceDecoder.DecodeString(span.StatusMessage),
    });
}
