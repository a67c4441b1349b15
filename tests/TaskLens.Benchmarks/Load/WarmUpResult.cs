using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// The load run's warm-up (<see cref="LoadBenchmark.WarmUpAsync"/>): its traffic as a phase (CPU until stored), the
/// methods the JIT had compiled when the traffic began (the server's start) and over the traffic, and the wait after it
/// (<see cref="SettleResult"/>) — what start-up costs, kept out of the measured phase and reported beside it.
/// </summary>
internal sealed record WarmUpResult(PhaseResult Traffic, double JitMethodsAtStart, double JitMethods, double JitSeconds, SettleResult Settle)
{
    /// <summary>The warm-up in plain sentences for the reports.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"Warm-up (first {Traffic.Spans:N0} spans after start; the JIT had compiled {JitMethodsAtStart:N0} methods by then): {Traffic.SpansPerSecond:N0} spans/s, TaskLens {Traffic.TaskLensCpuMicrosPerSpan:0.00} µs and ClickHouse {Traffic.ClickHouseCpuMicrosPerSpan:0.00} µs of CPU per span (until stored), the JIT compiling {JitMethods:N0} methods in {JitSeconds:N2} s; {Settle.Describe()}.");
}
