using System.Numerics;

namespace TaskLens.Core.Goals;

/// <summary>
/// The spans of one run, by span id: <see cref="HeldSpan"/>s in arrival order and an open-addressing index of int slots
/// into them. Half the memory per span of a <c>Dictionary&lt;ulong, RunSpan&gt;</c> (which keeps the key, a hash code
/// and a chain link beside each value, plus a bucket): at agent rates millions of spans are held (docs/goals.md).
/// <para>
/// Nothing the GC reads is held per span. A span's shape, or its shape and extras, is a number
/// (<see cref="SpanSideTable"/>), and the rare span with wide values keeps its side object in a per-run list; the
/// spans and slots sit in arrays rented from the rollup's pools (<see cref="HeldSpanStore"/>) and given back when the
/// run is finalized (<see cref="Release"/>). Under load the
/// arrays of a quarter-minute of spans were each copied twice by the young collections, and the GC marked through
/// every span's reference (docs/ingest.md, *Held spans off the GC's back*).
/// </para>
/// The first <see cref="ChunkSize"/> spans sit in one array sized to the run (a multiple of
/// <see cref="FirstArrayStep"/>), the rest in chunks of that size. Guarded by the rollup's lock.
/// </summary>
internal sealed class RunSpanSet(HeldSpanStore store)
{
    /// <summary>Spans per chunk: 48 KiB of 48-byte spans.</summary>
    public const int ChunkSize = 1 << ChunkShift;

    /// <summary>The first array's sizes are multiples of this, so pooled arrays fit many runs with little slack.</summary>
    public const int FirstArrayStep = 16;

    private const int ChunkShift = 10;

    /// <summary>Spans 0 to <see cref="ChunkSize"/> - 1, grown to the run's size (most runs never need more).</summary>
    private HeldSpan[] _first = [];

    /// <summary>Spans from <see cref="ChunkSize"/> on, a chunk at a time; null for runs that fit the first array.</summary>
    private HeldSpan[][]? _chunks;
    private int _chunkCount;

    /// <summary>
    /// Index + 1 into the spans, 0 when free; a power of two, at most three quarters full (4-11 bytes a span;
    /// at most half full it was 8-16, and a miss probes every <see cref="Add"/> of a new span only).
    /// </summary>
    private int[] _slots = [];

    /// <summary>Side objects of the few spans with wide values (and sides past the table's bound).</summary>
    private List<object>? _sides;

    public int Count { get; private set; }

    /// <summary>The span at <paramref name="index"/> (0 to <see cref="Count"/> - 1), in arrival order.</summary>
    public RunSpan this[int index]
    {
        get
        {
            ref readonly var held = ref At(index);
            return RunSpan.FromHeld(held, SideOf(held.Side));
        }
    }

    private int Capacity => _first.Length + (_chunkCount << ChunkShift);

    public void EnsureCapacity(int capacity)
    {
        if (capacity > _first.Length && _first.Length < ChunkSize)
        {
            GrowFirst(capacity);
        }

        while (capacity > Capacity)
        {
            AddChunk();
        }

        if (Crowded(capacity))
        {
            Rehash((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(8, (capacity * 4 / 3) + 1)));
        }
    }

    public bool ContainsKey(ulong spanId) => Find(spanId) >= 0;

    /// <summary>Where the span is (see the indexer), -1 when it is not held.</summary>
    public int IndexOf(ulong spanId) => Find(spanId);

    public bool TryGetValue(ulong spanId, out RunSpan span)
    {
        var index = Find(spanId);
        span = index >= 0 ? this[index] : default;
        return index >= 0;
    }

    /// <summary>Adds a span whose id is not held yet (the caller checked).</summary>
    public void Add(in RunSpan span)
    {
        if (Count == Capacity)
        {
            if (_first.Length < ChunkSize)
            {
                // Grows by half, not double: the first export of a trace sized it, so later growth is from late arrivals.
                GrowFirst(Count + (Count / 2));
            }
            else
            {
                AddChunk();
            }
        }

        if (Crowded(Count + 1))
        {
            Rehash(Math.Max(8, _slots.Length * 2));
        }

        At(Count) = span.Hold(HandleOf(span));
        Place(span.SpanId, Count);
        Count++;
    }

    /// <summary>Gives every array back to the pools and lets go of the side objects; the set is empty and may be filled again.</summary>
    public void Release()
    {
        store.Spans.Return(_first);
        for (var i = 0; i < _chunkCount; i++)
        {
            store.Spans.Return(_chunks![i]);
        }

        store.Slots.Return(_slots);
        _first = [];
        _chunks = null;
        _chunkCount = 0;
        _slots = [];
        _sides = null;
        Count = 0;
    }

    private ref HeldSpan At(int index) => ref index < ChunkSize
        ? ref _first[index]
        : ref _chunks![(index >> ChunkShift) - 1][index & (ChunkSize - 1)];

    /// <summary>
    /// 0 for no side, a shared side's number + 1 (<see cref="SpanSideTable"/>: a shape, or a shape with extras), or
    /// -(index + 1) into <see cref="_sides"/> for a side object of the span's own (wide values, or past the table's bound).
    /// </summary>
    private int HandleOf(in RunSpan span)
    {
        var side = span.SideObject;
        if (side is null)
        {
            return 0;
        }

        var number = side switch
        {
            SpanShape shape => store.Sides.NumberOf(shape),
            _ when !span.HasWideValues && span.Shape is { } shape && span.Extras is { } extras => store.Sides.NumberOf(shape, extras, side),
            _ => -1,
        };
        if (number >= 0)
        {
            return number + 1;
        }

        (_sides ??= []).Add(side);
        return -_sides.Count;
    }

    private object? SideOf(int handle) => handle switch
    {
        0 => null,
        > 0 => store.Sides[handle - 1],
        _ => _sides![-handle - 1],
    };

    /// <summary>Moves the first array to a pooled one of at least <paramref name="capacity"/> spans (at most a chunk).</summary>
    private void GrowFirst(int capacity)
    {
        var length = Math.Min(ChunkSize, (Math.Max(capacity, 1) + FirstArrayStep - 1) / FirstArrayStep * FirstArrayStep);
        var grown = store.Spans.Rent(length);
        _first.AsSpan(0, Math.Min(Count, _first.Length)).CopyTo(grown);
        store.Spans.Return(_first);
        _first = grown;
    }

    private void AddChunk()
    {
        _chunks ??= new HeldSpan[4][];
        if (_chunkCount == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunkCount * 2);
        }

        _chunks[_chunkCount++] = store.Spans.Rent(ChunkSize);
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

            if (At(entry - 1).SpanId == spanId)
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
        store.Slots.Return(_slots);
        _slots = store.Slots.Rent(size);

        // A pooled array holds its last run's slots.
        Array.Clear(_slots);
        for (var i = 0; i < Count; i++)
        {
            Place(At(i).SpanId, i);
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
