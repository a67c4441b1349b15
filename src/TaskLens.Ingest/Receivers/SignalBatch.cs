using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// Decoded exports of one signal and tenant at ingest, and the one place that knows which decoder each signal has:
/// logs and metrics into their batch types, traces only validated and counted (<see cref="OtlpTraceDecoder.Validate"/>,
/// nothing kept) — a trace export is spooled and decoded again by the drainer (<see cref="Spool.DrainedRun"/>, straight
/// into storage's rows), or, with the spool off, decoded into rows by <see cref="OtlpExport"/> instead of this.
/// </summary>
internal sealed class SignalBatch
{
    private readonly bool _traces;
    private readonly LogBatch? _logs;
    private readonly MetricBatch? _metrics;
    private int _spans;
    private ValidatedResources _resources = ValidatedResources.None;

    public SignalBatch(OtlpSignal signal, string tenant)
    {
        if (signal == OtlpSignal.Traces)
        {
            _traces = true;
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
    public int Count => _traces ? _spans : _logs?.Rows.Count ?? _metrics!.Points.Count;

    /// <summary>The service of the first resource decoded (what the spool's shares count by).</summary>
    public string ServiceName =>
        _traces ? _resources.FirstServiceName
        : _logs is { Rows.Count: > 0 } ? _logs.Rows[0].Resource.ServiceName
        : _metrics is { Points.Count: > 0 } ? _metrics.Points[0].Resource.ServiceName
        : OtlpCommon.UnknownService;

    /// <summary>The UTF-8 length of the longest service name among the decoded resources (admission bounds it).</summary>
    public int LongestServiceNameBytes()
    {
        if (_traces)
        {
            return _resources.LongestServiceNameBytes;
        }

        var longest = 0;
        TelemetryResource? previous = null;
        var count = Count;
        for (var i = 0; i < count; i++)
        {
            var resource = _logs is not null ? _logs.Rows[i].Resource : _metrics!.Points[i].Resource;
            if (!ReferenceEquals(resource, previous))
            {
                longest = Math.Max(longest, System.Text.Encoding.UTF8.GetByteCount(resource.ServiceName));
                previous = resource;
            }
        }

        return longest;
    }

    /// <summary>
    /// What the decoders take for a request: an OTLP/JSON export of any signal becomes its protobuf (the transcoder),
    /// so <paramref name="json"/> is then false — one JSON route, one decoder per signal. Null, with a reason, for bad JSON.
    /// </summary>
    public static ReadOnlyMemory<byte>? ToDecodable(OtlpSignal signal, ReadOnlyMemory<byte> request, ref bool json, out string? error)
    {
        error = null;
        if (!json)
        {
            return request;
        }

        var transcoded = signal == OtlpSignal.Traces ? OtlpJsonTranscoder.TranscodeTraces(request, out error)
            : signal == OtlpSignal.Logs ? OtlpJsonTranscoder.TranscodeLogs(request, out error)
            : OtlpJsonTranscoder.TranscodeMetrics(request, out error);
        json = false;

        // Not `return transcoded;`: a null array converts to an empty, non-null ReadOnlyMemory.
        if (transcoded is null)
        {
            return null;
        }

        return transcoded;
    }

    /// <summary>
    /// Decodes a payload from <see cref="ToDecodable"/> into the batch (traces: checks and counts it).
    /// <paramref name="json"/>: a JSON trace export spooled as sent by TaskLens before traces went through the
    /// transcoder (spool records carry the flag); it is transcoded first, as it would be today.
    /// </summary>
    public OtlpDecodeResult Add(ReadOnlyMemory<byte> payload, bool json)
    {
        if (json)
        {
            var signal = _traces ? OtlpSignal.Traces : _logs is not null ? OtlpSignal.Logs : OtlpSignal.Metrics;
            if (ToDecodable(signal, payload, ref json, out var error) is not { } decodable)
            {
                return OtlpDecodeResult.Malformed(error!);
            }

            payload = decodable;
        }

        if (_traces)
        {
            var result = OtlpTraceDecoder.Validate(payload.Span, out var resources);
            if (!result.IsMalformed)
            {
                _spans += result.Accepted;
                _resources = _resources.Count == 0 ? resources : _resources with
                {
                    Count = _resources.Count + resources.Count,
                    LongestServiceNameBytes = Math.Max(_resources.LongestServiceNameBytes, resources.LongestServiceNameBytes),
                };
            }

            return result;
        }

        return _logs is not null ? OtlpLogDecoder.Decode(payload.Span, _logs) : OtlpMetricDecoder.Decode(payload.Span, _metrics!);
    }

    /// <summary>Writes decoded logs or metrics to their sink; nothing to do for an empty batch. Traces keep nothing to write.</summary>
    public Task WriteAsync(ILogSink logs, IMetricSink metrics, CancellationToken cancellationToken) =>
        _traces ? throw new InvalidOperationException("A trace export is only validated here; it keeps nothing to write.")
        : Count == 0 ? Task.CompletedTask
        : _logs is not null ? logs.WriteAsync(_logs, cancellationToken)
        : metrics.WriteAsync(_metrics!, cancellationToken);
}
