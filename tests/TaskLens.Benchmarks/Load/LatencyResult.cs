namespace TaskLens.Benchmarks.Load;

/// <summary>Probe latencies (ms) of one latency phase, and the background load offered beside them.</summary>
internal sealed record LatencyResult(
    IReadOnlyList<double> AckMs, IReadOnlyList<double> QueryableMs, int ProbeRefusals, long BackgroundSpansSent, long BackgroundSpansSkipped)
{
    public double AckP50 => AckLatency.Percentile(AckMs, 0.50);

    public double AckP99 => AckLatency.Percentile(AckMs, 0.99);

    public double QueryableP50 => AckLatency.Percentile(QueryableMs, 0.50);
}
