namespace TaskLens.Benchmarks.Load;

/// <summary>What the overload phase measured.</summary>
internal sealed record OverloadReport(
    int Factor,
    double Seconds,
    long SpansOffered,
    long SpansDroppedByClients,
    ulong SpansAcknowledged,
    ulong SpansStored,
    long TooManyRequests,
    long ServiceUnavailable,
    long RefusalsWithoutRetryHint,
    double PeakRssMiB,
    double ClientRetrySecondsAfterPhase,
    double DrainSecondsAfterRetries);
