using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>Attributes into a list as strings (logs, metrics); a resource's <c>service.name</c> string one noted.</summary>
internal struct ListAttributes(List<AttributeRecord> list) : IAttributeSink
{
    public string ServiceName { get; private set; } = OtlpCommon.UnknownService;

    public bool TryAdd(AttributeOwner owner, ReadOnlySpan<byte> key, ReadOnlySpan<byte> anyValue, out string? error)
    {
        if (!AnyValueText.TryDecode(anyValue, out var type, out var text, out error))
        {
            return false;
        }

        list.Add(new AttributeRecord(OtlpTraceDecoder.DecodeString(key), type, text));
        if (owner == AttributeOwner.Resource && type == AttributeValueType.String && key.SequenceEqual("service.name"u8))
        {
            ServiceName = text;
        }

        return true;
    }
}
