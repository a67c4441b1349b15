namespace TaskLens.Detection;

/// <summary>The mean of the last <c>size</c> values, O(1) a value (a ring and a running sum, re-summed each lap against drift).</summary>
internal sealed class MeanWindow
{
    private readonly double[] _values;
    private double _sum;
    private long _count;

    public MeanWindow(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _values = new double[size];
    }

    /// <summary>Whether the window has seen <c>size</c> values.</summary>
    public bool IsFull => _count >= _values.Length;

    /// <summary>Adds a value; returns the mean of the values in the window.</summary>
    public double Add(double value)
    {
        var slot = (int)(_count % _values.Length);
        _sum += value - _values[slot];
        _values[slot] = value;
        _count++;
        if (slot == _values.Length - 1)
        {
            _sum = _values.Sum(); // rounding errors of the running sum do not pile up
        }

        return _sum / Math.Min(_count, _values.Length);
    }
}
