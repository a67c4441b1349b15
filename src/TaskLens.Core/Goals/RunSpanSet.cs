using System.Numerics;

namespace TaskLens.Core.Goals;

/// <summary>
/// The spans of one run, by span id: a plain array of <see cref="RunSpan"/> and an open-addressing index of int slots
/// into it. Half the memory per span of a <c>Dictionary&lt;ulong, RunSpan&gt;</c> (which keeps the key, a hash code
/// and a chain link beside each value, plus a bucket): at agent rates millions of spans are held (docs/goals.md).
/// Guarded by the rollup's lock.
/// </summary>
internal sealed class RunSpanSet
{
    private RunSpan[] _items = [];

    /// <summary>
    /// Index + 1 into <see cref="_items"/>, 0 when free; a power of two, at most three quarters full (4-11 bytes a span;
    /// at most half full it was 8-16, and a miss probes every <see cref="Add"/> of a new span only).
    /// </summary>
    private int[] _slots = [];

    public int Count { get; private set; }

    public ReadOnlySpan<RunSpan> Values => _items.AsSpan(0, Count);

    public void EnsureCapacity(int capacity)
    {
        if (capacity > _items.Length)
        {
            Array.Resize(ref _items, capacity);
        }

        if (Crowded(capacity))
        {
            Rehash((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(8, (capacity * 4 / 3) + 1)));
        }
    }

    public bool ContainsKey(ulong spanId) => Find(spanId) >= 0;

    /// <summary>Where the span is in <see cref="Values"/>, -1 when it is not held.</summary>
    public int IndexOf(ulong spanId) => Find(spanId);

    public bool TryGetValue(ulong spanId, out RunSpan span)
    {
        var index = Find(spanId);
        span = index >= 0 ? _items[index] : default;
        return index >= 0;
    }

    /// <summary>Adds a span whose id is not held yet (the caller checked).</summary>
    public void Add(in RunSpan span)
    {
        if (Count == _items.Length)
        {
            // Grows by half, not double: the first export of a trace sized it, so later growth is from late arrivals.
            Array.Resize(ref _items, Math.Max(4, Count + (Count / 2)));
        }

        if (Crowded(Count + 1))
        {
            Rehash(Math.Max(8, _slots.Length * 2));
        }

        _items[Count] = span;
        Place(span.SpanId, Count);
        Count++;
    }

    /// <summary>Whether <paramref name="spans"/> would fill more than three quarters of the slots.</summary>
    private bool Crowded(int spans) => (long)spans * 4 > (long)_slots.Length * 3;

    private int Find(ulong spanId)
    {
        if (_slots.Length == 0)
        {
            return -1;
        }

        var mask = _slots.Length - 1;
        for (var slot = Hash(spanId) & mask; ; slot = (slot + 1) & mask)
        {
            var entry = _slots[slot];
            if (entry == 0)
            {
                return -1;
            }

            if (_items[entry - 1].SpanId == spanId)
            {
                return entry - 1;
            }
        }
    }

    private void Place(ulong spanId, int index)
    {
        var mask = _slots.Length - 1;
        var slot = Hash(spanId) & mask;
        while (_slots[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        _slots[slot] = index + 1;
    }

    private void Rehash(int size)
    {
        _slots = new int[size];
        for (var i = 0; i < Count; i++)
        {
            Place(_items[i].SpanId, i);
        }
    }

    /// <summary>
    /// Span ids should be random, but some instrumentations count, in any byte order (a counter read big-endian lands in
    /// the top bits and leaves the low ones zero): every bit is mixed into the low ones that pick the slot (the
    /// MurmurHash3 64-bit finalizer), or such ids would all probe one cluster.
    /// </summary>
    private static int Hash(ulong spanId)
    {
        spanId ^= spanId >> 33;
        spanId *= 0xFF51AFD7ED558CCDUL;
        spanId ^= spanId >> 33;
        spanId *= 0xC4CEB9FE1A85EC53UL;
        spanId ^= spanId >> 33;
        return (int)spanId & int.MaxValue;
    }
}
