namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Probe latencies (ms) of one latency phase, when each probe was sent (UTC, to set the slowest beside a runtime trace's
/// collections), and the background load offered beside them; <see cref="Client"/> is the sending process's own GC over
/// the phase, since a pause there delays a probe's clock as much as one in the server.
/// </summary>
internal sealed record LatencyResult(
    IReadOnlyList<double> AckMs, IReadOnlyList<DateTime> SentUtc, IReadOnlyList<double> QueryableMs, int ProbeRefusals, long BackgroundSpansSent, long BackgroundSpansSkipped, ClientGc Client)
{
    public double AckP50 => AckLatency.Percentile(AckMs, 0.50);

    public double AckP99 => AckLatency.Percentile(AckMs, 0.99);

    public double QueryableP50 => AckLatency.Percentile(QueryableMs, 0.50);

    /// <summary>The <paramref name="count"/> slowest probes, slowest first: when each was sent and its acknowledgement time.</summary>
    public IEnumerable<(DateTime SentUtc, double AckMs)> Slowest(int count) =>
        AckMs.Select((ms, i) => (SentUtc[i], ms)).OrderByDescending(p => p.ms).Take(count);
}
