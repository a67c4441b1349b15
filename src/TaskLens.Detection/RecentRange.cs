namespace TaskLens.Detection;

/// <summary>The last <c>window</c> values of a series, to tell whether a value is beyond the range they span.</summary>
internal sealed class RecentRange(int window)
{
    private readonly double[] _recent = new double[window];
    private int _count;
    private int _next;

    /// <summary>The smallest and largest of the values before the last <see cref="IsNews"/> call; NaN with no history.</summary>
    public (double Min, double Max) LastExtremes { get; private set; } = (double.NaN, double.NaN);

    /// <summary>Whether the value is above the recent maximum (for a rise) or below the recent minimum (for a drop); true with no history.</summary>
    public bool IsNews(double value, bool rise)
    {
        if (_count == 0)
        {
            LastExtremes = (double.NaN, double.NaN);
            return true;
        }

        double min = double.MaxValue, max = double.MinValue;
        for (var i = 0; i < _count; i++)
        {
            min = Math.Min(min, _recent[i]);
            max = Math.Max(max, _recent[i]);
        }

        LastExtremes = (min, max);
        return rise ? value > max : value < min;
    }

    public void Add(double value)
    {
        _recent[_next] = value;
        _next = (_next + 1) % _recent.Length;
        _count = Math.Min(_count + 1, _recent.Length);
    }
}
