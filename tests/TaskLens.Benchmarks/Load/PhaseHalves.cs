namespace TaskLens.Benchmarks.Load;

/// <summary>
/// A diagnostic beside a phase's headline CPU per span: TaskLens's CPU per span in the phase's first and second half
/// and in its tail, so the runtime's one-time work (tiered compilation, which is busiest early) can be told from the
/// steady state. The headline is not changed by it: it stays the whole phase's CPU over its spans (issue 20).
/// </summary>
/// <remarks>
/// The halves are split when half the phase's exports are acknowledged. At that moment the drainer is behind the
/// receivers (what is acknowledged is in the spool, not yet in ClickHouse), so a window's work is receiving the spans
/// acknowledged in it and draining the spans stored in it; each window's CPU is divided by the mean of the two counts,
/// as if receive and drain cost the same per span. The two windows' span counts then add up to the phase's spans. How
/// much that assumption matters is shown beside it: the second half's CPU over the spans stored in it alone and over
/// those acknowledged in it alone (the two agree when the drainer keeps up).
/// The second half ends when ClickHouse holds every span; the tail is what follows until the goal runs are stored
/// (the 30 s quiet period and the sweep that finalizes runs), given per span of the whole phase like the headline,
/// so first × its share + second × its share + tail = the headline.
/// </remarks>
internal sealed record PhaseHalves(
    double FirstMicrosPerSpan,
    double FirstSpans,
    double SecondMicrosPerSpan,
    double SecondSpans,
    double TailMicrosPerSpan,
    double SecondPerSpanStored,
    double SecondPerSpanAcknowledged)
{
    /// <summary>
    /// From the phase's <paramref name="spans"/> and TaskLens's CPU and the spans stored so far at its start, at the
    /// split (with the spans acknowledged by then), when every span was stored and when the goal runs were.
    /// </summary>
    public static PhaseHalves Compute(
        long spans,
        (TimeSpan Cpu, ulong Stored) start,
        (TimeSpan Cpu, ulong Stored, long Acknowledged) split,
        TimeSpan cpuAllStored,
        TimeSpan cpuEnd)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spans);
        ArgumentOutOfRangeException.ThrowIfNegative(split.Acknowledged);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(split.Acknowledged, spans);
        // Stored rows can run ahead of this phase's spans when a retried export is stored twice; clamp to the phase.
        var storedAtSplit = Math.Min((double)(split.Stored - Math.Min(split.Stored, start.Stored)), spans);
        var first = (split.Acknowledged + storedAtSplit) / 2;
        var second = spans - first;
        return new PhaseHalves(
            PerSpan(split.Cpu - start.Cpu, first),
            first,
            PerSpan(cpuAllStored - split.Cpu, second),
            second,
            PerSpan(cpuEnd - cpuAllStored, spans),
            PerSpan(cpuAllStored - split.Cpu, spans - storedAtSplit),
            PerSpan(cpuAllStored - split.Cpu, spans - split.Acknowledged));
    }

    /// <summary>One plain sentence, labelled as a diagnostic, for the reports.</summary>
    public string Describe() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"diagnostic, not the headline: TaskLens CPU-µs a span in the phase's first half {FirstMicrosPerSpan:0.00}, second half {SecondMicrosPerSpan:0.00} (until every span is stored; {SecondPerSpanStored:0.00} over the spans stored in it alone, {SecondPerSpanAcknowledged:0.00} over those acknowledged), then {TailMicrosPerSpan:0.00} per span of the phase while its goal runs are finalized");

    private static double PerSpan(TimeSpan cpu, double spans) => spans > 0 ? cpu.TotalMicroseconds / spans : double.NaN;
}
