namespace TaskLens.Benchmarks.Load;

/// <summary>
/// One sustained phase: spans sent and stored end to end, CPU per span of both processes, goal runs stored, peak RSS;
/// and, as a diagnostic, TaskLens's CPU per span by half of the phase (<see cref="PhaseHalves"/>). Also the rows the
/// spans table held when the phase began (the fair ceiling's tables start holding as many), and the queries the
/// benchmark's own store probe sent ClickHouse in the phase (not TaskLens's work, but inside its CPU window).
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
    PhaseHalves Halves,
    long RowsHeldBefore,
    int ProbeQueries);
