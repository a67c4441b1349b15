using TaskLens.Core.Ingest;
using TaskLens.Ingest.Spool;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// Ingest's health for the dashboard: spans accepted (a rate over the time between two reads, at least a second),
/// refusals (admission, spool full, store unavailable), the spool's bytes not yet in ClickHouse and how long the
/// drainer has been behind (since a read first found it behind; zero once a read finds it caught up, so it never
/// overstates). Two interlocked adds per export, nothing per span.
/// </summary>
internal sealed class IngestMeter(AdmissionControl admission, TimeProvider time, DiskSpool? spool = null, SpoolDrainer? drainer = null) : IIngestHealth
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    private readonly object _gate = new();
    private long _spans;
    private long _refused;
    private (DateTimeOffset At, long Spans, double Rate) _last = (time.GetUtcNow(), 0, 0);
    private DateTimeOffset? _behindSince;

    public void SpansAccepted(long count) => Interlocked.Add(ref _spans, count);

    public void Refused() => Interlocked.Increment(ref _refused);

    public IngestHealth Current()
    {
        var now = time.GetUtcNow();
        var spans = Interlocked.Read(ref _spans);
        lock (_gate)
        {
            if (now - _last.At >= MinInterval)
            {
                _last = (now, spans, (spans - _last.Spans) / (now - _last.At).TotalSeconds);
            }

            _behindSince = drainer is null || drainer.IsCaughtUp ? null : _behindSince ?? now;
            return new IngestHealth(
                _last.Rate, spans, Interlocked.Read(ref _refused) + admission.Refused, spool?.PendingBytes ?? 0, now - (_behindSince ?? now));
        }
    }
}
