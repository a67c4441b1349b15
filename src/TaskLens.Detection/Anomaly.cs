namespace TaskLens.Detection;

/// <summary>One point a detector found anomalous, with what it expected there and why.</summary>
public sealed record Anomaly(
    DateTimeOffset Timestamp,
    double Value,
    double Expected,
    double Lower,
    double Upper,
    double Score,
    string Detector);
