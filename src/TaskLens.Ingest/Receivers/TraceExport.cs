using Microsoft.Extensions.Logging;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// The transport-neutral part of a trace export: decode into a pooled batch, hand it to the sink, report what
/// was accepted and rejected. The gRPC and HTTP receivers only translate this into their protocol's answers.
/// </summary>
internal sealed class TraceExport(ISpanSink sink, SpanBatchPool pool, ILogger<TraceExport> logger)
{
    public async Task<(TraceExportOutcome Outcome, OtlpDecodeResult Result, TimeSpan RetryAfter)> ExportAsync(
        ReadOnlyMemory<byte> request,
        bool json,
        string tenant,
        string transport,
        CancellationToken cancellationToken)
    {
        var batch = pool.Rent();
        try
        {
            batch.Tenant = tenant;
            var result = json ? OtlpJsonTraceDecoder.Decode(request, batch) : OtlpTraceDecoder.Decode(request.Span, batch);
            if (result.IsMalformed)
            {
                IngestLog.MalformedExport(logger, transport, result.MalformedReason!);
                return (TraceExportOutcome.Malformed, result, TimeSpan.Zero);
            }

            if (result.Rejected > 0)
            {
                IngestLog.PartialSuccess(logger, transport, result.Accepted, result.Rejected, result.ErrorMessage);
            }

            try
            {
                await sink.WriteAsync(batch, cancellationToken);
            }
            catch (SpanSinkUnavailableException e)
            {
                IngestLog.StoreUnavailable(logger, transport, e);
                return (TraceExportOutcome.StoreUnavailable, result, e.RetryAfter);
            }

            return (TraceExportOutcome.Stored, result, TimeSpan.Zero);
        }
        finally
        {
            pool.Return(batch);
        }
    }
}
