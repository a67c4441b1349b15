namespace TaskLens.Detection;

/// <summary>
/// Passes on an anomaly of the detector it wraps only when the value is also outside the range of the previous
/// <c>window</c> points: above their maximum for a rise, below their minimum for a drop. For intermittent sums —
/// cost, tokens or runs per minute of a goal that runs now and then — every run looks like a spike against a baseline
/// of zeros; only a value the series has not reached lately is news.
/// </summary>
public sealed class RecentRangeGuard(IAnomalyDetector inner, int window = 1440) : IAnomalyDetector
{
    private readonly double[] _recent = new double[window];
    private int _count;
    private int _next;

    public string Name => inner.Name;

    public double Threshold => inner.Threshold;

    public Anomaly? Observe(DateTimeOffset timestamp, double value)
    {
        var anomaly = inner.Observe(timestamp, value);
        if (anomaly is not null && _count > 0)
        {
            double min = double.MaxValue, max = double.MinValue;
            for (var i = 0; i < _count; i++)
            {
                min = Math.Min(min, _recent[i]);
                max = Math.Max(max, _recent[i]);
            }

            var news = anomaly.Value > anomaly.Expected ? value > max : value < min;
            anomaly = news ? anomaly : null;
        }

        _recent[_next] = value;
        _next = (_next + 1) % _recent.Length;
        _count = Math.Min(_count + 1, _recent.Length);
        return anomaly;
    }
}
