using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// The load run's warm-up (<see cref="LoadBenchmark.WarmUpAsync"/>): its traffic as a phase (CPU until stored), the
/// methods the JIT had compiled when the traffic began (the server's start) and over the traffic, and its two waits
/// after it: the server's (<see cref="SettleResult"/>), then ClickHouse's merges of the warm-up's parts
/// (<see cref="MergeSeconds"/>, and ClickHouse's CPU meanwhile) — what start-up costs, kept out of the measured phase
/// and reported beside it.
/// </summary>
internal sealed record WarmUpResult(
    PhaseResult Traffic, double JitMethodsAtStart, double JitMethods, double JitSeconds, SettleResult Settle, double MergeSeconds, double MergeClickHouseCpuSeconds)
{
    /// <summary>The warm-up in plain sentences for the reports; <paramref name="phaseSpans"/> puts the merges' CPU per span of the phase that follows.</summary>
    public string Describe(long phaseSpans) => string.Create(CultureInfo.InvariantCulture,
        $"Warm-up (first {Traffic.Spans:N0} spans after start; the JIT had compiled {JitMethodsAtStart:N0} methods by then): {Traffic.SpansPerSecond:N0} spans/s, TaskLens {Traffic.TaskLensCpuMicrosPerSpan:0.00} µs and ClickHouse {Traffic.ClickHouseCpuMicrosPerSpan:0.00} µs of CPU per span (until stored), the JIT compiling {JitMethods:N0} methods in {JitSeconds:N2} s; {Settle.Describe()}; then, as the ceiling's passes do, ClickHouse finished merging the warm-up's parts ({MergeSeconds:N1} s, {MergeClickHouseCpuSeconds:N1} CPU-s, {MergeClickHouseCpuSeconds * 1e6 / phaseSpans:N2} µs per span of the phase that its window no longer holds).");
}
