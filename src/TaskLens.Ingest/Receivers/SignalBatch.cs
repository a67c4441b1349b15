using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// Decoded exports of one signal and tenant in the batch type of that signal, and the one place that knows which
/// decoder and which sink each signal has, at ingest (one export). The spool drainer decodes its runs with
/// <see cref="Spool.DrainedRun"/> (traces straight into storage's rows).
/// </summary>
internal sealed class SignalBatch : IDisposable
{
    private readonly SpanBatchPool _pool;
    private readonly SpanBatch? _spans;
    private readonly LogBatch? _logs;
    private readonly MetricBatch? _metrics;

    // A trace export that is only validated (spooled, decoded again by the drainer) keeps no batch: its count and services.
    private readonly bool _validateOnly;
    private int _validated;
    private ValidatedResources _resources = ValidatedResources.None;

    /// <param name="validateOnly">
    /// Traces only: <see cref="Add"/> checks and counts without keeping any record (<see cref="OtlpTraceDecoder.Validate"/>),
    /// for an export that is spooled and decoded again later; there is then nothing to <see cref="WriteAsync"/>.
    /// </param>
    public SignalBatch(OtlpSignal signal, string tenant, SpanBatchPool pool, bool validateOnly = false)
    {
        _pool = pool;
        if (signal == OtlpSignal.Traces)
        {
            _validateOnly = validateOnly;
            if (!validateOnly)
            {
                _spans = pool.Rent();
                _spans.Tenant = tenant;
            }
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
    public int Count => _validateOnly ? _validated : _spans?.SpanCount ?? _logs?.Rows.Count ?? _metrics!.Points.Count;

    /// <summary>The service of the first resource decoded (what the spool's shares count by).</summary>
    public string ServiceName =>
        _validateOnly ? _resources.FirstServiceName
        : _spans is { ResourceCount: > 0 } ? _spans.Resources[0].ServiceName
        : _logs is { Rows.Count: > 0 } ? _logs.Rows[0].Resource.ServiceName
        : _metrics is { Points.Count: > 0 } ? _metrics.Points[0].Resource.ServiceName
        : OtlpCommon.UnknownService;

    /// <summary>The UTF-8 length of the longest service name among the decoded resources (admission bounds it).</summary>
    public int LongestServiceNameBytes()
    {
        if (_validateOnly)
        {
            return _resources.LongestServiceNameBytes;
        }

        var longest = 0;
        if (_spans is not null)
        {
            foreach (var resource in _spans.Resources)
            {
                longest = Math.Max(longest, System.Text.Encoding.UTF8.GetByteCount(resource.ServiceName));
            }

            return longest;
        }

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
    /// Decodes a payload from <see cref="ToDecodable"/> into the batch (a validate-only one: checks and counts it).
    /// <paramref name="json"/>: a JSON trace export spooled as sent by TaskLens before traces went through the
    /// transcoder (spool records carry the flag); it is transcoded first, as it would be today.
    /// </summary>
    public OtlpDecodeResult Add(ReadOnlyMemory<byte> payload, bool json)
    {
        if (json)
        {
            var signal = _spans is not null || _validateOnly ? OtlpSignal.Traces : _logs is not null ? OtlpSignal.Logs : OtlpSignal.Metrics;
            if (ToDecodable(signal, payload, ref json, out var error) is not { } decodable)
            {
                return OtlpDecodeResult.Malformed(error!);
            }

            payload = decodable;
        }

        if (_validateOnly)
        {
            var result = OtlpTraceDecoder.Validate(payload.Span, out var resources);
            if (!result.IsMalformed)
            {
                _validated += result.Accepted;
                _resources = _resources.Count == 0 ? resources : _resources with
                {
                    Count = _resources.Count + resources.Count,
                    LongestServiceNameBytes = Math.Max(_resources.LongestServiceNameBytes, resources.LongestServiceNameBytes),
                };
            }

            return result;
        }

        return _spans is not null
            ? OtlpTraceDecoder.Decode(payload.Span, _spans)
            : _logs is not null ? OtlpLogDecoder.Decode(payload.Span, _logs)
            : OtlpMetricDecoder.Decode(payload.Span, _metrics!);
    }

    /// <summary>Writes what was decoded to the signal's sink; nothing to do for an empty batch.</summary>
    public Task WriteAsync(ISpanSink spans, ILogSink logs, IMetricSink metrics, CancellationToken cancellationToken) =>
        _validateOnly ? throw new InvalidOperationException("A validate-only batch keeps nothing to write.")
        : Count == 0 ? Task.CompletedTask
        : _spans is not null ? spans.WriteAsync(_spans, cancellationToken)
        : _logs is not null ? logs.WriteAsync(_logs, cancellationToken)
        : metrics.WriteAsync(_metrics!, cancellationToken);

    public void Dispose()
    {
        if (_spans is not null)
        {
            _pool.Return(_spans);
        }
    }
}
