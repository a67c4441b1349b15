namespace TaskLens.Detection;

/// <summary>
/// One point a detector found anomalous, with what it expected there and why. <see cref="Kind"/> tells a spike or dip
/// from a level shift; <see cref="Probability"/> is how often the series' own history has shown evidence this strong
/// (a calibrated tail probability; NaN from detectors that do not calibrate).
/// </summary>
public sealed record Anomaly(
    DateTimeOffset Timestamp,
    double Value,
    double Expected,
    double Lower,
    double Upper,
    double Score,
    string Detector,
    AnomalyKind Kind = AnomalyKind.Spike,
    double Probability = double.NaN);
