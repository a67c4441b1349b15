namespace TaskLens.Benchmarks.Load;

/// <summary>One sustained phase: spans sent and stored end to end, CPU per span of both processes, goal runs stored, peak RSS.</summary>
internal sealed record PhaseResult(
    long Spans,
    double Seconds,
    double SpansPerSecond,
    double TaskLensCpuMicrosPerSpan,
    double ClickHouseCpuMicrosPerSpan,
    int Refusals,
    long RunsStored,
    long RunsExpected,
    double PeakRssMiB);
