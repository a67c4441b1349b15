using System.Text;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// <see cref="OtlpTraceDecoder"/>'s walk as ingest's check before spooling (<see cref="OtlpTraceDecoder.Validate"/>):
/// every value is checked as a full decode checks it (<see cref="AnyValueText.TryCheck"/>, the same verdicts and
/// messages), and nothing is kept — no span, attribute, event or link record, no text — but each resource's service
/// name, which admission and the spool read (<see cref="ValidatedResources"/>).
/// </summary>
internal struct ValidateTraceSink() : ITraceSink
{
    private string _serviceName = OtlpCommon.UnknownService;

    public int Resources { get; private set; }

    public string FirstServiceName { get; private set; } = OtlpCommon.UnknownService;

    public int LongestServiceNameBytes { get; private set; }

    /// <summary>Ranges are never read: nothing is kept to point into.</summary>
    public readonly int AttributeCount(AttributeOwner owner) => 0;

    public bool TryAdd(AttributeOwner owner, ReadOnlySpan<byte> key, ReadOnlySpan<byte> anyValue, out string? error)
    {
        if (!AnyValueText.TryCheck(anyValue, out var type, out var text, out error))
        {
            return false;
        }

        // As a full decode names the service: the last string-valued service.name, its text as decoded (invalid
        // UTF-8 replaced), so its length is the one admission would have measured.
        if (owner == AttributeOwner.Resource && type == AttributeValueType.String && key.SequenceEqual("service.name"u8))
        {
            _serviceName = Utf8Text.Decode(text);
        }

        return true;
    }

    public void BeginResource() => _serviceName = OtlpCommon.UnknownService;

    public void EndResource(int attributesStart, uint droppedAttributesCount, ReadOnlySpan<byte> schemaUrl)
    {
        if (Resources++ == 0)
        {
            FirstServiceName = _serviceName;
        }

        LongestServiceNameBytes = Math.Max(LongestServiceNameBytes, Encoding.UTF8.GetByteCount(_serviceName));
    }

    public readonly void EndScope(int attributesStart, ReadOnlySpan<byte> name, ReadOnlySpan<byte> version, uint droppedAttributesCount, ReadOnlySpan<byte> schemaUrl)
    {
    }

    public readonly void BeginSpan()
    {
    }

    public readonly void AddEvent(ulong timeUnixNano, ReadOnlySpan<byte> name, AttributeRange attributes, uint droppedAttributesCount)
    {
    }

    public readonly void AddLink(in TraceLinkFields link)
    {
    }

    public readonly void RejectSpan()
    {
    }

    public readonly void AddSpan(in TraceSpanFields span)
    {
    }
}
