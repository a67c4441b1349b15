using System.Numerics;

namespace TaskLens.Core.Goals;

/// <summary>
/// The spans of one run, by span id: <see cref="RunSpan"/>s in arrival order and an open-addressing index of int slots
/// into them. Half the memory per span of a <c>Dictionary&lt;ulong, RunSpan&gt;</c> (which keeps the key, a hash code
/// and a chain link beside each value, plus a bucket): at agent rates millions of spans are held (docs/goals.md).
/// The first <see cref="ChunkSize"/> spans sit in one array sized to the run, the rest in chunks of that size, so no
/// run's spans land on the large-object heap (a 5,000-span agent run was one 360 KB array there, and a heap dump under
/// load found 62 MB of them, which the GC does not compact). Guarded by the rollup's lock.
/// </summary>
internal sealed class RunSpanSet
{
    /// <summary>Spans per chunk: 48 KiB of 48-byte spans, under the large-object heap's 85,000 bytes.</summary>
    public const int ChunkSize = 1 << ChunkShift;
    private const int ChunkShift = 10;

    /// <summary>Spans 0 to <see cref="ChunkSize"/> - 1, grown to the run's size (most runs never need more).</summary>
    private RunSpan[] _first = [];

    /// <summary>Spans from <see cref="ChunkSize"/> on, a chunk at a time; null for runs that fit the first array.</summary>
    private RunSpan[][]? _chunks;
    private int _chunkCount;

    /// <summary>
    /// Index + 1 into the spans, 0 when free; a power of two, at most three quarters full (4-11 bytes a span;
    /// at most half full it was 8-16, and a miss probes every <see cref="Add"/> of a new span only).
    /// </summary>
    private int[] _slots = [];

    public int Count { get; private set; }

    /// <summary>The span at <paramref name="index"/> (0 to <see cref="Count"/> - 1), in arrival order.</summary>
    public ref readonly RunSpan this[int index] => ref At(index);

    private int Capacity => _first.Length + (_chunkCount << ChunkShift);

    public void EnsureCapacity(int capacity)
    {
        if (capacity > _first.Length && _first.Length < ChunkSize)
        {
            Array.Resize(ref _first, Math.Min(capacity, ChunkSize));
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
        span = index >= 0 ? At(index) : default;
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
                Array.Resize(ref _first, Math.Min(ChunkSize, Math.Max(4, Count + (Count / 2))));
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

        At(Count) = span;
        Place(span.SpanId, Count);
        Count++;
    }

    private ref RunSpan At(int index) => ref index < ChunkSize
        ? ref _first[index]
        : ref _chunks![(index >> ChunkShift) - 1][index & (ChunkSize - 1)];

    private void AddChunk()
    {
        _chunks ??= new RunSpan[4][];
        if (_chunkCount == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunkCount * 2);
        }

        _chunks[_chunkCount++] = new RunSpan[ChunkSize];
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
        _slots = new int[size];
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
