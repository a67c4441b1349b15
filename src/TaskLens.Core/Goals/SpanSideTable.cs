namespace TaskLens.Core.Goals;

/// <summary>
/// Numbers for what held spans share, so a held span names it by number instead of holding a reference
/// (<see cref="HeldSpan"/>): the rollup's pooled span shapes (<see cref="RunSpanReader"/> makes one per distinct name,
/// service, model and kind), and a shape with the extras of an error or goal-marked span (one side object per distinct
/// pair, where each such span had its own). Bounded like the reader's pool: past <see cref="MaxEntries"/> a side gets no
/// number, and a run keeps it in its own list instead. Not thread-safe: guarded by the rollup's lock.
/// </summary>
internal sealed class SpanSideTable
{
    /// <summary>The reader's bound on pooled shapes, with as many again for shapes with extras.</summary>
    public const int MaxEntries = StringPool.MaxEntries * 2;

    private readonly Dictionary<SpanShape, int> _shapes = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(SpanShape Shape, RunSpanExtras Extras), int> _withExtras = [];
    private readonly List<object> _sides = [];

    public int Count => _sides.Count;

    public object this[int number] => _sides[number];

    /// <summary>The shape's number, given on first sight; -1 past the bound.</summary>
    public int NumberOf(SpanShape shape) => NumberOf(_shapes, shape, shape);

    /// <summary>
    /// The number of a side object holding <paramref name="shape"/> and <paramref name="extras"/> (the first such
    /// <paramref name="side"/> seen, whose values every later one shares); -1 past the bound.
    /// </summary>
    public int NumberOf(SpanShape shape, RunSpanExtras extras, object side) => NumberOf(_withExtras, (shape, extras), side);

    private int NumberOf<TKey>(Dictionary<TKey, int> numbers, TKey key, object side)
        where TKey : notnull
    {
        if (numbers.TryGetValue(key, out var number))
        {
            return number;
        }

        if (_sides.Count >= MaxEntries)
        {
            return -1;
        }

        numbers.Add(key, _sides.Count);
        _sides.Add(side);
        return _sides.Count - 1;
    }
}
