namespace TaskLens.Detection;

/// <summary>
/// An online, causal detector over one series: each point is decided from the points before it only, as it
/// arrives. One instance per series.
/// </summary>
public interface IAnomalyDetector
{
    string Name { get; }

    /// <summary>The score from which a point is anomalous (scores are in the detector's own units).</summary>
    double Threshold { get; }

    /// <summary>Takes the next point (in time order); returns the anomaly it is, or null.</summary>
    Anomaly? Observe(DateTimeOffset timestamp, double value);
}
