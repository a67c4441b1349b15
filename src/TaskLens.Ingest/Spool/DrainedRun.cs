using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Receivers;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// A run of spooled exports of one signal and tenant as the drainer decodes and stores it. Traces are decoded straight
/// into storage's rows (<see cref="ISpanRowSink"/>, the goal rollup's facts read in the same pass), without a
/// <see cref="SpanBatch"/> of strings; logs and metrics into their batches, as at ingest.
/// </summary>
internal sealed class DrainedRun : IDisposable
{
    private readonly OtlpSignal _signal;
    private readonly ISpanRowRun? _spans;
    private readonly LogBatch? _logs;
    private readonly MetricBatch? _metrics;

    public DrainedRun(OtlpSignal signal, string tenant, ISpanRowSink spans)
    {
        _signal = signal;
        if (signal == OtlpSignal.Traces)
        {
            _spans = spans.Begin(tenant);
        }
        else if (signal == OtlpSignal.Logs)
        {
            _logs = new LogBatch { Tenant = tenant };
        }
        else
        {
            _metrics = new MetricBatch { Tenant = tenant };
        }
    }

    /// <summary>Items (spans, log records, points) decoded so far.</summary>
    public int Count => _spans?.SpanCount ?? _logs?.Rows.Count ?? _metrics!.Points.Count;

    /// <summary>
    /// Decodes one spooled export into the run. <paramref name="json"/>: a JSON export spooled as sent by an older
    /// TaskLens; it is transcoded first, as ingest does now (<see cref="SignalBatch.ToDecodable"/>). A malformed export
    /// may have left part of itself in a trace run: the caller then discards the run.
    /// </summary>
    public OtlpDecodeResult Add(ReadOnlyMemory<byte> payload, bool json)
    {
        if (SignalBatch.ToDecodable(_signal, payload, ref json, out var error) is not { } decodable)
        {
            return OtlpDecodeResult.Malformed(error!);
        }

        return _spans is not null ? OtlpTraceDecoder.DecodeRows(decodable, _spans)
            : _logs is not null ? OtlpLogDecoder.Decode(decodable.Span, _logs)
            : OtlpMetricDecoder.Decode(decodable.Span, _metrics!);
    }

    /// <summary>Stores what was decoded; nothing to do for an empty run. May be called again after a failure.</summary>
    public Task StoreAsync(ILogSink logs, IMetricSink metrics, CancellationToken cancellationToken) =>
        Count == 0 ? Task.CompletedTask
        : _spans is not null ? _spans.StoreAsync(cancellationToken)
        : _logs is not null ? logs.WriteAsync(_logs, cancellationToken)
        : metrics.WriteAsync(_metrics!, cancellationToken);

    public void Dispose() => _spans?.Dispose();
}
