namespace TaskLens.Storage.ClickHouse;

/// <summary>
/// Fixed-size segments for <see cref="RowBinaryWriter"/>'s insert bodies, of which at most <see cref="RetainBytes"/>
/// are kept between inserts (<c>TaskLens:ClickHouse:PooledInsertBytes</c>); the rest go back to the GC. An insert body
/// is a chain of segments, never one contiguous array, so a 12 MiB insert needs no 16 MiB array and no copy when it
/// grows: before, each body grew by doubling on <c>ArrayPool&lt;byte&gt;.Shared</c>, which kept a 16 MiB array per
/// insert in flight plus the 1-8 MiB ones it had outgrown, on the large-object heap (issue 20). Segments are smaller
/// than the large-object threshold, so they never fragment that heap either. The segments in use are bounded by the
/// inserts in flight (the spool drainer's concurrency times its insert size).
/// A segment the pool does not have is made on the pinned object heap, not in gen 0: it lives as long as its insert is
/// in flight (hundreds of milliseconds to seconds), so a gen-0 segment nearly always survived into gen 1 and on into
/// gen 2, copied by each blocking collection on the way — a heap dump under load found 16 of the 27 MB alive in gen 1
/// to be such segments (docs/ingest.md, "memory and acknowledgement latency", session 10). The pinned heap is never
/// compacted and is swept only by gen-2 collections, and every segment is the same size, so a dropped one's space is
/// taken by the next one made.
/// </summary>
public sealed class RowBinaryBufferPool
{
    /// <summary>The segment size: under the GC's 85,000-byte large-object threshold.</summary>
    public const int DefaultSegmentBytes = 64 * 1024;

    /// <summary>
    /// Default for <see cref="RetainBytes"/>: what the drainer holds at once — two inserts in flight of its 12 MiB
    /// batches and the next run being encoded, 41 MiB alive in a heap dump under load. At 32 MiB every drained run made
    /// some segments afresh, and on the pinned heap those spend the budget that starts gen-2 collections (session 10).
    /// </summary>
    public const long DefaultRetainBytes = 64L * 1024 * 1024;

    /// <summary>Segments must hold the longest piece written in one go (a short string: 127 bytes).</summary>
    public const int MinSegmentBytes = 256;

    private readonly Stack<byte[]> _free = new();
    private readonly Lock _gate = new();
    private long _retainBytes;

    public RowBinaryBufferPool(int segmentBytes = DefaultSegmentBytes, long retainBytes = DefaultRetainBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentBytes, MinSegmentBytes);
        SegmentBytes = segmentBytes;
        RetainBytes = retainBytes;
    }

    public int SegmentBytes { get; }

    /// <summary>At most this many bytes of returned segments are kept for reuse; lowering it drops the surplus now.</summary>
    public long RetainBytes
    {
        get => Interlocked.Read(ref _retainBytes);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate)
            {
                _retainBytes = value;
                while ((long)_free.Count * SegmentBytes > value)
                {
                    _free.Pop();
                }
            }
        }
    }

    /// <summary>Bytes of segments kept for reuse now (not counting segments in use).</summary>
    public long RetainedBytes
    {
        get
        {
            lock (_gate)
            {
                return (long)_free.Count * SegmentBytes;
            }
        }
    }

    public byte[] Rent()
    {
        lock (_gate)
        {
            if (_free.TryPop(out var segment))
            {
                return segment;
            }
        }

        // Uninitialized: a writer only sends the bytes it wrote. Pinned: see the class summary.
        return GC.AllocateUninitializedArray<byte>(SegmentBytes, pinned: true);
    }

    /// <summary>Takes a segment back (kept while under <see cref="RetainBytes"/>); one of another size is ignored.</summary>
    public void Return(byte[] segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.Length != SegmentBytes)
        {
            return;
        }

        lock (_gate)
        {
            if ((long)(_free.Count + 1) * SegmentBytes <= _retainBytes)
            {
                _free.Push(segment);
            }
        }
    }
}
