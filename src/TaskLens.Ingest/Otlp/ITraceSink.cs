using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// What <see cref="OtlpTraceDecoder"/>'s one walk of an <c>ExportTraceServiceRequest</c> hands what it reads to: the
/// tests' batch of strings (<c>BatchTraceSink</c> in tests/TaskLens.UnitTests/TestSupport), ingest's validation that keeps
/// nothing (<see cref="ValidateTraceSink"/>) or the drainer's rows (<see cref="RowTraceSink"/>). Implemented by structs and passed by reference, so the JIT compiles the walk once per
/// sink with these calls inlined. The walker checks the wire format and decides every verdict; a sink only keeps
/// (or, validating, does not keep) what it is given. Text comes as the export's UTF-8 bytes, unchecked.
/// </summary>
internal interface ITraceSink : IAttributeSink
{
    /// <summary>Attributes added so far for <paramref name="owner"/>'s level (a range starts there).</summary>
    int AttributeCount(AttributeOwner owner);

    /// <summary>A Resource begins: its attributes follow (<see cref="AttributeOwner.Resource"/>).</summary>
    void BeginResource();

    void EndResource(int attributesStart, uint droppedAttributesCount, ReadOnlySpan<byte> schemaUrl);

    void EndScope(int attributesStart, ReadOnlySpan<byte> name, ReadOnlySpan<byte> version, uint droppedAttributesCount, ReadOnlySpan<byte> schemaUrl);

    /// <summary>A span begins: its attributes, events and links follow, then <see cref="AddSpan"/> or <see cref="RejectSpan"/>.</summary>
    void BeginSpan();

    void AddEvent(ulong timeUnixNano, ReadOnlySpan<byte> name, AttributeRange attributes, uint droppedAttributesCount);

    void AddLink(in TraceLinkFields link);

    /// <summary>The span is rejected (OTLP partial success): nothing of it is kept.</summary>
    void RejectSpan();

    void AddSpan(in TraceSpanFields span);
}
