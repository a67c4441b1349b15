namespace TaskLens.Detection;

/// <summary>
/// The smallest and largest of about the last <c>points</c> values, in O(1) a value and little memory: values are kept
/// as the extremes of blocks of <see cref="BlockPoints"/>, and the extremes of the completed blocks are re-read once a
/// block (so the range covers between <c>points</c> − <see cref="BlockPoints"/> and <c>points</c> values).
/// </summary>
internal sealed class RecordRange
{
    /// <summary>Values summed up in one block.</summary>
    public const int BlockPoints = 50;

    private readonly double[] _blockMin;
    private readonly double[] _blockMax;
    private int _blocks; // completed blocks held (at most the ring's length)
    private int _next; // the ring slot the current block completes into
    private int _inBlock;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;
    private double _completedMin = double.PositiveInfinity;
    private double _completedMax = double.NegativeInfinity;

    public RecordRange(int points)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2 * BlockPoints);
        var blocks = (points / BlockPoints) - 1;
        _blockMin = new double[blocks];
        _blockMax = new double[blocks];
    }

    /// <summary>Values the range has seen (up to its length).</summary>
    public long Count { get; private set; }

    /// <summary>The smallest value in the range (+∞ while empty).</summary>
    public double Min => Math.Min(_completedMin, _min);

    /// <summary>The largest value in the range (−∞ while empty).</summary>
    public double Max => Math.Max(_completedMax, _max);

    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
        Count++;
        if (++_inBlock < BlockPoints)
        {
            return;
        }

        _blockMin[_next] = _min;
        _blockMax[_next] = _max;
        _next = (_next + 1) % _blockMin.Length;
        _blocks = Math.Min(_blocks + 1, _blockMin.Length);
        (_min, _max, _inBlock) = (double.PositiveInfinity, double.NegativeInfinity, 0);
        (_completedMin, _completedMax) = (double.PositiveInfinity, double.NegativeInfinity);
        for (var b = 0; b < _blocks; b++)
        {
            _completedMin = Math.Min(_completedMin, _blockMin[b]);
            _completedMax = Math.Max(_completedMax, _blockMax[b]);
        }
    }
}
