namespace TaskLens.Detection;

/// <summary>
/// The last <c>capacity</c> values of a series, kept sorted as well as in arrival order, so a median or any quantile
/// is read in O(1) and each new value costs a binary search and one short memory move.
/// </summary>
internal sealed class SortedWindow(int capacity)
{
    private readonly double[] _arrival = new double[capacity];
    private readonly double[] _sorted = new double[capacity];
    private int _next;
    private double _sum;
    private double _sumOfSquares;

    public int Count { get; private set; }

    public bool IsFull => Count == capacity;

    /// <summary>Adds a value; when full, the oldest leaves.</summary>
    public void Add(double value)
    {
        if (Count == capacity)
        {
            var oldest = _arrival[_next];
            var at = Array.BinarySearch(_sorted, 0, Count, oldest);
            Array.Copy(_sorted, at + 1, _sorted, at, Count - at - 1);
            Count--;
            _sum -= oldest;
            _sumOfSquares -= oldest * oldest;
        }

        _arrival[_next] = value;
        _next = (_next + 1) % capacity;
        var insert = Array.BinarySearch(_sorted, 0, Count, value);
        if (insert < 0)
        {
            insert = ~insert;
        }

        Array.Copy(_sorted, insert, _sorted, insert + 1, Count - insert);
        _sorted[insert] = value;
        Count++;
        _sum += value;
        _sumOfSquares += value * value;
    }

    /// <summary>The q-quantile (0..1) by linear interpolation between the two nearest ranks; NaN when empty.</summary>
    public double Quantile(double q)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = q * (Count - 1);
        var low = (int)rank;
        var high = Math.Min(low + 1, Count - 1);
        return _sorted[low] + ((rank - low) * (_sorted[high] - _sorted[low]));
    }

    public double Median => Quantile(0.5);

    public double Mean => Count == 0 ? double.NaN : _sum / Count;

    public double StandardDeviation => Count == 0 ? double.NaN : Math.Sqrt(Math.Max(0, (_sumOfSquares / Count) - (Mean * Mean)));
}
