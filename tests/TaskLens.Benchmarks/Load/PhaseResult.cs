namespace TaskLens.Benchmarks.Load;

/// <summary>
/// One sustained phase: spans sent and stored end to end, CPU per span of both processes, goal runs stored, peak RSS;
/// and, as a diagnostic, TaskLens's CPU per span by half of the phase (<see cref="PhaseHalves"/>).
/// </summary>
internal sealed record PhaseResult(
    long Spans,
    double Seconds,
    double SpansPerSecond,
    double TaskLensCpuMicrosPerSpan,
    double ClickHouseCpuMicrosPerSpan,
    int Refusals,
    long RunsStored,
    long RunsExpected,
    double PeakRssMiB,
    PhaseHalves Halves);
