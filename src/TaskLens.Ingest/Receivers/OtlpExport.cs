using Microsoft.Extensions.Logging;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Telemetry;
using Microsoft.Extensions.Options;
using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Spool;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// The transport-neutral part of an export of any signal: decode (which validates it and counts what is accepted and
/// rejected), then make it durable — appended to the spool, or, with the spool off, written to ClickHouse — and only
/// then report success. The gRPC and HTTP receivers only translate this into their protocol's answers.
/// </summary>
internal sealed class OtlpExport(
    ISpanSink spans,
    ILogSink logs,
    IMetricSink metrics,
    SpanBatchPool pool,
    IOptions<IngestOptions> options,
    ILogger<OtlpExport> logger,
    DiskSpool? spool = null)
{
    public async Task<(ExportOutcome Outcome, OtlpDecodeResult Result, TimeSpan RetryAfter)> ExportAsync(
        OtlpSignal signal,
        ReadOnlyMemory<byte> request,
        bool json,
        string tenant,
        string transport,
        CancellationToken cancellationToken)
    {
        SpanBatch? spanBatch = null;
        var spooled = request;
        var decodedService = OtlpCommon.UnknownService;
        try
        {
            OtlpDecodeResult result;
            Func<Task> store;
            if (signal == OtlpSignal.Traces)
            {
                spanBatch = pool.Rent();
                spanBatch.Tenant = tenant;
                result = json ? OtlpJsonTraceDecoder.Decode(request, spanBatch)
                    : spool is not null ? OtlpTraceDecoder.Validate(request.Span, spanBatch) // decoded for real when drained
                    : OtlpTraceDecoder.Decode(request.Span, spanBatch);
                var batch = spanBatch;
                store = () => spans.WriteAsync(batch, cancellationToken);
            }
            else
            {
                var protobuf = request;
                if (json)
                {
                    var transcoded = signal == OtlpSignal.Logs
                        ? OtlpJsonTranscoder.TranscodeLogs(request, out var jsonError)
                        : OtlpJsonTranscoder.TranscodeMetrics(request, out jsonError);
                    if (transcoded is null)
                    {
                        IngestLog.MalformedExport(logger, transport, jsonError!);
                        return (ExportOutcome.Malformed, OtlpDecodeResult.Malformed(jsonError!), TimeSpan.Zero);
                    }

                    protobuf = transcoded;
                    spooled = transcoded;
                }

                if (signal == OtlpSignal.Logs)
                {
                    var batch = new LogBatch { Tenant = tenant };
                    result = OtlpLogDecoder.Decode(protobuf.Span, batch);
                    decodedService = batch.Rows.Count > 0 ? batch.Rows[0].Resource.ServiceName : decodedService;
                    store = () => logs.WriteAsync(batch, cancellationToken);
                }
                else
                {
                    var batch = new MetricBatch { Tenant = tenant };
                    result = OtlpMetricDecoder.Decode(protobuf.Span, batch);
                    decodedService = batch.Points.Count > 0 ? batch.Points[0].Resource.ServiceName : decodedService;
                    store = () => metrics.WriteAsync(batch, cancellationToken);
                }
            }

            if (result.IsMalformed)
            {
                IngestLog.MalformedExport(logger, transport, result.MalformedReason!);
                return (ExportOutcome.Malformed, result, TimeSpan.Zero);
            }

            if (result.Rejected > 0)
            {
                IngestLog.PartialSuccess(logger, transport, result.Accepted, result.Rejected, result.ErrorMessage);
            }

            if (result.Accepted > 0 && spool is not null)
            {
                // What is spooled is what was decoded: the request itself (JSON logs and metrics as their protobuf).
                try
                {
                    var service = spanBatch is { ResourceCount: > 0 } ? spanBatch.Resources[0].ServiceName : decodedService;
                    await spool.AppendAsync(new SpoolRecord(signal, tenant, service, json && signal == OtlpSignal.Traces, spooled));
                }
                catch (SpoolFullException e)
                {
                    IngestLog.SpoolFull(logger, transport, e.Message);
                    return (ExportOutcome.StoreUnavailable, result, TimeSpan.FromSeconds(options.Value.RetryAfterSeconds));
                }
            }
            else if (result.Accepted > 0)
            {
                try
                {
                    await store();
                }
                catch (SpanSinkUnavailableException e)
                {
                    IngestLog.StoreUnavailable(logger, transport, e);
                    return (ExportOutcome.StoreUnavailable, result, e.RetryAfter);
                }
            }

            return (ExportOutcome.Stored, result, TimeSpan.Zero);
        }
        finally
        {
            if (spanBatch is not null)
            {
                pool.Return(spanBatch);
            }
        }
    }
}
