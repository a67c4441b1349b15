using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Spool;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// The transport-neutral part of an export of any signal: decode (which validates it and counts what is accepted and
/// rejected), then make it durable — appended to the spool, or, with the spool off, written to ClickHouse — and only
/// then report success. With the spool off a trace export is decoded once, straight into storage's rows
/// (<see cref="OtlpTraceDecoder.DecodeRows"/>, as the drainer does), and stored with those of concurrent exports. The
/// gRPC and HTTP receivers only translate this into their protocol's answers.
/// </summary>
internal sealed class OtlpExport(
    ISpanRowSink spans,
    ILogSink logs,
    IMetricSink metrics,
    IOptions<IngestOptions> options,
    ILogger<OtlpExport> logger,
    IngestMeter meter,
    DiskSpool? spool = null,
    TimeProvider? time = null)
{
    private readonly SpoolRefusalLog _spoolRefusals = new(logger, time ?? TimeProvider.System);

    /// <summary>
    /// Whether the spool would refuse an export of at least <paramref name="bytes"/> from the tenant now (its cap or
    /// the tenant's share); a refusal is logged (rate-limited) and the receiver answers it as
    /// <see cref="ExportOutcome.StoreUnavailable"/> without reading or validating the export. False with the spool off.
    /// </summary>
    public bool SpoolRefuses(string tenant, long bytes, string transport)
    {
        if (spool?.RefusalFor(tenant, bytes) is not { } reason)
        {
            return false;
        }

        _spoolRefusals.Refused(transport, reason);
        return true;
    }

    /// <summary>Whether exports go to the spool (and so may be refused by it before they are read).</summary>
    public bool Spools => spool is not null;

    /// <summary>The retry delay a spool refusal is answered with.</summary>
    public TimeSpan SpoolRetryAfter => TimeSpan.FromSeconds(options.Value.RetryAfterSeconds);

    public async Task<(ExportOutcome Outcome, OtlpDecodeResult Result, TimeSpan RetryAfter)> ExportAsync(
        OtlpSignal signal,
        ReadOnlyMemory<byte> request,
        bool json,
        string tenant,
        string transport,
        long startedTimestamp,
        CancellationToken cancellationToken)
    {
        // Timed by stage (tasklens.ingest.export.duration) so a slow acknowledgement says where it waited.
        var stageStart = meter.Stage(IngestMeter.ReadStage, startedTimestamp, request.Length);
        // A tenant the spool would refuse is refused before the export is transcoded or validated: the same export
        // comes back on every retry, and validating it each time is work for nothing. A protobuf request is what would
        // be spooled; JSON shrinks when transcoded, so only a tenant with no room at all is refused here.
        if (SpoolRefuses(tenant, json ? 1 : request.Length, transport))
        {
            return (ExportOutcome.StoreUnavailable, default, SpoolRetryAfter);
        }

        // What is decoded is what is spooled: the request itself (JSON logs and metrics as their protobuf).
        if (SignalBatch.ToDecodable(signal, request, ref json, out var jsonError) is not { } payload)
        {
            IngestLog.MalformedExport(logger, transport, jsonError!);
            return (ExportOutcome.Malformed, OtlpDecodeResult.Malformed(jsonError!), TimeSpan.Zero);
        }

        // Traces with the spool off: rows of storage's, given back (unstored) on any early answer.
        var rowsOnly = signal == OtlpSignal.Traces && spool is null;
        using var run = rowsOnly ? spans.Begin(tenant) : null;
        var rows = run is null ? null : new AdmittedSpanRows(run);
        var batch = rowsOnly ? null : new SignalBatch(signal, tenant);
        var result = rows is not null ? OtlpTraceDecoder.DecodeRows(payload, rows) : batch!.Add(payload, json);
        if (result.IsMalformed)
        {
            IngestLog.MalformedExport(logger, transport, result.MalformedReason!);
            return (ExportOutcome.Malformed, result, TimeSpan.Zero);
        }

        // Bounded before anything is spooled: a name too long for a spool record's length field was once acknowledged
        // and then misread by the drainer, and the export vanished (issue 14).
        var longestService = rows?.LongestServiceNameBytes ?? batch!.LongestServiceNameBytes();
        if (longestService > options.Value.MaxServiceNameBytes)
        {
            var reason = string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"a resource's service.name is {longestService} bytes; at most {options.Value.MaxServiceNameBytes} are accepted");
            IngestLog.MalformedExport(logger, transport, reason);
            return (ExportOutcome.Malformed, OtlpDecodeResult.Malformed(reason), TimeSpan.Zero);
        }

        if (result.Rejected > 0)
        {
            IngestLog.PartialSuccess(logger, transport, result.Accepted, result.Rejected, result.ErrorMessage);
        }

        stageStart = meter.Stage(IngestMeter.DecodeStage, stageStart, request.Length);
        if (result.Accepted == 0)
        {
            meter.Accepted(signal.Name, 0, result.Rejected);
            return (ExportOutcome.Stored, result, TimeSpan.Zero);
        }

        try
        {
            if (spool is not null)
            {
                await spool.AppendAsync(new SpoolRecord(signal, tenant, batch!.ServiceName, json, payload));
            }
            else if (run is not null)
            {
                await run.StoreAsync(cancellationToken);
            }
            else
            {
                await batch!.WriteAsync(logs, metrics, cancellationToken);
            }
        }
        catch (SpoolFullException e)
        {
            _spoolRefusals.Refused(transport, e.Message);
            return (ExportOutcome.StoreUnavailable, result, SpoolRetryAfter);
        }
        catch (StoreRejectedException e)
        {
            // Only with the spool off: ClickHouse will never take this export, so retrying it would not help either.
            IngestLog.StoreUnavailable(logger, transport, e);
            return (ExportOutcome.Malformed, OtlpDecodeResult.Malformed("ClickHouse refused this export's data for good; it is not stored"), TimeSpan.Zero);
        }
        catch (SpanSinkUnavailableException e)
        {
            IngestLog.StoreUnavailable(logger, transport, e);
            return (ExportOutcome.StoreUnavailable, result, e.RetryAfter);
        }

        meter.Stage(IngestMeter.DurableStage, stageStart, request.Length);
        meter.Accepted(signal.Name, result.Accepted, result.Rejected);
        return (ExportOutcome.Stored, result, TimeSpan.Zero);
    }
}
