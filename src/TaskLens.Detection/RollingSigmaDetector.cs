namespace TaskLens.Detection;

/// <summary>
/// The plain baseline every detector is measured against: a point is anomalous when it lies outside the mean ± k
/// standard deviations of the previous <c>window</c> points (NAB's README: 100 points, k = 3). Silent until the
/// window is full.
/// </summary>
public sealed class RollingSigmaDetector(int window = 100, double k = 3) : IAnomalyDetector
{
    private readonly Queue<double> _values = new(window);
    private double _sum;
    private double _sumOfSquares;

    public string Name => "rolling-3sigma";

    public double Threshold => k;

    public Anomaly? Observe(DateTimeOffset timestamp, double value)
    {
        Anomaly? anomaly = null;
        if (_values.Count == window)
        {
            var mean = _sum / window;
            var sigma = Math.Sqrt(Math.Max(0, (_sumOfSquares / window) - (mean * mean)));
            double lower = mean - (k * sigma), upper = mean + (k * sigma);
            if (value < lower || value > upper)
            {
                anomaly = new Anomaly(timestamp, value, mean, lower, upper, sigma == 0 ? double.PositiveInfinity : Math.Abs(value - mean) / sigma, Name);
            }

            var oldest = _values.Dequeue();
            _sum -= oldest;
            _sumOfSquares -= oldest * oldest;
        }

        _values.Enqueue(value);
        _sum += value;
        _sumOfSquares += value * value;
        return anomaly;
    }
}
