namespace TaskLens.Detection;

/// <summary>
/// Passes on an anomaly of the detector it wraps only when the value is also outside the range of the previous
/// <c>window</c> points (<see cref="RecentRange"/>): above their maximum for a rise, below their minimum for a drop.
/// The combined detector has the same guard built in (<see cref="CombinedDetector.Settings.RecentRange"/>).
/// </summary>
public sealed class RecentRangeGuard(IAnomalyDetector inner, int window = 1440) : IAnomalyDetector
{
    private readonly RecentRange _range = new(window);

    public string Name => inner.Name;

    public double Threshold => inner.Threshold;

    public Anomaly? Observe(DateTimeOffset timestamp, double value)
    {
        var anomaly = inner.Observe(timestamp, value);
        if (anomaly is not null && !_range.IsNews(value, anomaly.Value > anomaly.Expected))
        {
            anomaly = null;
        }

        _range.Add(value);
        return anomaly;
    }
}
