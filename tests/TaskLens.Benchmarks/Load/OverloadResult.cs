namespace TaskLens.Benchmarks.Load;

/// <summary>What the overload phase's exporters saw (spans, and refusals by kind); stored spans are counted in ClickHouse afterwards.</summary>
internal sealed record OverloadResult(
    int Clients,
    double Seconds,
    long SpansOffered,
    long SpansRefused,
    long TooManyRequests,
    long ServiceUnavailable,
    long SpansRetried,
    long SpansAcknowledged,
    long RefusalsWithoutRetryHint,
    double FinishingSeconds);
