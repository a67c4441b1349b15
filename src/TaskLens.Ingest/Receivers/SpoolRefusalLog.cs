using Microsoft.Extensions.Logging;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// Logs exports the spool refuses (its cap or a tenant's share) at most once per <see cref="Interval"/>, with the
/// number refused since the last line: while the spool is full a client retries every few seconds, and a warning per
/// export would flood the log with one line it has already said.
/// </summary>
internal sealed class SpoolRefusalLog(ILogger logger, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private long _lastLogged; // UTC ticks of the last line; 0 before the first
    private long _refused;

    /// <summary>Counts a refusal; logs it when no refusal was logged in the last <see cref="Interval"/>.</summary>
    public void Refused(string transport, string reason)
    {
        Interlocked.Increment(ref _refused);
        var now = time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastLogged);
        if (last != 0 && now - last < Interval.Ticks)
        {
            return;
        }

        // One caller wins the line; the others' refusals are counted in the next one.
        if (Interlocked.CompareExchange(ref _lastLogged, now, last) == last)
        {
            IngestLog.SpoolFull(logger, transport, reason, Interlocked.Exchange(ref _refused, 0), Interval);
        }
    }
}
