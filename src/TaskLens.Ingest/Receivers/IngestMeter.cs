using System.Diagnostics;
using System.Diagnostics.Metrics;
using TaskLens.Core;
using TaskLens.Core.Ingest;
using TaskLens.Ingest.Spool;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// Ingest's own figures, for the dashboard (<see cref="IIngestHealth"/>: spans accepted as a rate over the time between
/// two reads, at least a second; exports pushed back; the spool's bytes not yet in ClickHouse and how long the drainer
/// has been behind — since a read first found it behind, zero once a read finds it caught up, so it never overstates)
/// and for <c>/metrics</c> (the <see cref="MeterName"/> meter: items accepted and rejected per signal, refused exports
/// per transport and reason, spool bytes pending and drain lag). A few interlocked adds per export, nothing per span.
/// </summary>
internal sealed class IngestMeter : IIngestHealth, ISelfMetrics
{
    public const string MeterName = "TaskLens.Ingest";

    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly DiskSpool? _spool;
    private readonly SpoolDrainer? _drainer;
    private readonly Counter<long> _items;
    private readonly Counter<long> _rejectedItems;
    private readonly Counter<long> _refusals;
    private readonly Histogram<double> _stages;
    private long _spans;
    private long _pushedBack;
    private (DateTimeOffset At, long Spans, double Rate) _last;
    private DateTimeOffset? _behindSince;

    public IngestMeter(IMeterFactory meters, TimeProvider time, DiskSpool? spool = null, SpoolDrainer? drainer = null)
    {
        _time = time;
        _spool = spool;
        _drainer = drainer;
        _last = (time.GetUtcNow(), 0, 0);
        var meter = meters.Create(MeterName);
        _items = meter.CreateCounter<long>("tasklens.ingest.items", "{item}", "Spans, log records and metric points acknowledged (durable), by signal");
        _rejectedItems = meter.CreateCounter<long>("tasklens.ingest.rejected_items", "{item}", "Items of accepted exports rejected as invalid (OTLP partial success), by signal");
        _refusals = meter.CreateCounter<long>("tasklens.ingest.refusals", "{export}", "Exports refused, by transport and reason: malformed, unauthenticated, unsupported, too_large, over_budget (429 / RESOURCE_EXHAUSTED), unavailable (spool full or store away: 503 / UNAVAILABLE)");
        _stages = meter.CreateHistogram<double>(
            "tasklens.ingest.export.duration",
            "s",
            "Time an accepted export spent in each stage before its answer, by stage: read (the body and its decompression, after admission), decode (validate and count), durable (spool append and fsync, or the ClickHouse write with the spool off); and by size: large (a MiB or more, decompressed) or small",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        meter.CreateObservableGauge("tasklens.spool.pending", () => _spool?.PendingBytes ?? 0, "By", "Bytes acknowledged and spooled, not yet in ClickHouse");
        meter.CreateObservableGauge("tasklens.spool.drain_lag", () => DrainLag().TotalSeconds, "s", "How long the spool drainer has been behind (0 when caught up)");
    }

    /// <summary>An export's items are durable: counted for its signal (and spans for the dashboard's rate).</summary>
    public void Accepted(string signal, long items, long rejected)
    {
        var tag = new KeyValuePair<string, object?>("signal", signal);
        _items.Add(items, tag);
        if (rejected > 0)
        {
            _rejectedItems.Add(rejected, tag);
        }

        if (signal == "traces")
        {
            Interlocked.Add(ref _spans, items);
        }
    }

    /// <summary>
    /// An export finished <paramref name="stage"/>, begun at <paramref name="startedTimestamp"/> (a
    /// <see cref="Stopwatch"/> timestamp); returns now, the next stage's start.
    /// </summary>
    public long Stage(string stage, long startedTimestamp, int requestBytes)
    {
        var now = Stopwatch.GetTimestamp();
        _stages.Record(
            Stopwatch.GetElapsedTime(startedTimestamp, now).TotalSeconds,
            new KeyValuePair<string, object?>("stage", stage),
            requestBytes >= LargeExportBytes ? LargeSize : SmallSize);
        return now;
    }

    /// <summary>
    /// Exports of at least this many bytes (decompressed) are timed apart: a 5,000-span agent export (~3 MB) waits
    /// differently from a 512-span SDK export (~320 KB), and the latency target is about the large ones.
    /// </summary>
    public const int LargeExportBytes = 1024 * 1024;

    private static readonly KeyValuePair<string, object?> LargeSize = new("size", "large");
    private static readonly KeyValuePair<string, object?> SmallSize = new("size", "small");

    /// <summary>
    /// Bucket bounds (seconds) of the latency histograms: fine between 10 and 100 ms, where the 50 ms acknowledgement
    /// target sits (issue 20), so a p99 is read to within a few milliseconds.
    /// </summary>
    internal static readonly double[] LatencyBuckets =
        [0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5];

    public const string ReadStage = "read";
    public const string DecodeStage = "decode";
    public const string DurableStage = "durable";

    /// <summary>An export was refused; pushback (over budget, unavailable) is what the dashboard counts.</summary>
    public void Refused(string transport, string reason)
    {
        _refusals.Add(1, new KeyValuePair<string, object?>("transport", transport), new KeyValuePair<string, object?>("reason", reason));
        if (reason is OverBudget or Unavailable)
        {
            Interlocked.Increment(ref _pushedBack);
        }
    }

    public const string OverBudget = "over_budget";
    public const string Unavailable = "unavailable";

    /// <summary>The refusal reason an OTLP/HTTP status says.</summary>
    public static string ReasonOf(int httpStatus) => httpStatus switch
    {
        400 => "malformed",
        401 => "unauthenticated",
        413 => "too_large",
        429 => OverBudget,
        503 => Unavailable,
        _ => "unsupported",
    };

    public IngestHealth Current()
    {
        var now = _time.GetUtcNow();
        var spans = Interlocked.Read(ref _spans);
        lock (_gate)
        {
            if (now - _last.At >= MinInterval)
            {
                _last = (now, spans, (spans - _last.Spans) / (now - _last.At).TotalSeconds);
            }

            return new IngestHealth(_last.Rate, spans, Interlocked.Read(ref _pushedBack), _spool?.PendingBytes ?? 0, DrainLagLocked(now));
        }
    }

    private TimeSpan DrainLag()
    {
        lock (_gate)
        {
            return DrainLagLocked(_time.GetUtcNow());
        }
    }

    private TimeSpan DrainLagLocked(DateTimeOffset now)
    {
        _behindSince = _drainer is null || _drainer.IsCaughtUp ? null : _behindSince ?? now;
        return now - (_behindSince ?? now);
    }
}
