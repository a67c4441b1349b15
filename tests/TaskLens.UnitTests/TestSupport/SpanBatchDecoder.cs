using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;

namespace TaskLens.UnitTests.TestSupport;

/// <summary>
/// An <c>ExportTraceServiceRequest</c> decoded into a <see cref="SpanBatch"/> of strings by <see cref="OtlpTraceDecoder"/>'s
/// own walk, so with the same checks, verdicts and messages as ingest's validation and the drainer's rows. No server
/// path decodes into strings any more (ingest validates, the drainer and the spool-off path write rows): this is the
/// readable reference the decoder, JSON and row-identity tests compare against, and how tests and bench pieces that
/// feed the goal rollup a batch get one. Linked into the integration tests and the benchmarks.
/// </summary>
internal static class SpanBatchDecoder
{
    /// <summary>
    /// Adds the spans of <paramref name="request"/> to <paramref name="batch"/>. Spans with invalid ids are
    /// rejected (OTLP partial success) and leave nothing behind; a request that is not valid protobuf of the
    /// expected shape adds nothing at all and is reported as malformed. Never throws on any input.
    /// </summary>
    public static OtlpDecodeResult Decode(ReadOnlySpan<byte> request, SpanBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var start = batch.Mark();
        var sink = new BatchTraceSink(batch);
        var result = OtlpTraceDecoder.Walk(request, ref sink);
        if (result.IsMalformed)
        {
            batch.Truncate(start);
        }

        return result;
    }
}
