using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// What <see cref="WarmUpSettle"/> saw between the warm-up's traffic and the measured phase: how long it waited in all and
/// until each condition held (seconds from its start), the goal runs stored, what the JIT compiled and TaskLens's CPU
/// in the wait, and the run-outlier trainings detection had made by its end.
/// </summary>
internal sealed record SettleResult(
    double Seconds,
    double RunsStoredSeconds,
    double DetectionJudgedSeconds,
    long RunsStored,
    double JitMethods,
    double JitSeconds,
    double TaskLensCpuSeconds,
    long RunOutlierTrainings)
{
    /// <summary>One plain sentence for the reports.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"then, with no traffic, the server was left until its first minute's work was done: {RunsStored:N0} goal runs stored after {RunsStoredSeconds:N0} s, detection had judged their steps after {DetectionJudgedSeconds:N0} s ({RunOutlierTrainings:N0} run-outlier trainings by the end), and the JIT was quiet (at most {WarmUpSettle.QuietMethodsPerSecond:0.#} methods a second over {WarmUpSettle.QuietFor.TotalSeconds:N0} s) after {Seconds:N0} s; in that wait the JIT compiled {JitMethods:N0} methods in {JitSeconds:N2} s and TaskLens used {TaskLensCpuSeconds:N2} CPU-s");
}
