namespace TaskLens.Core.Goals;

/// <summary>
/// Arrays of unmanaged values kept for reuse by exact length, made on the pinned object heap. The goal rollup holds its
/// spans for a quiet period of 30 s, so an array made in gen 0 for them was copied by two collections (gen 0 to 1 to 2)
/// and left gen-2 free space behind when the run was finalized; a pooled array is made once, never moved, and never read
/// by the GC (no references). Not thread-safe: guarded by the rollup's lock.
/// <para>
/// Bounded two ways, so the free arrays follow the lengths in use now. At most <c>maxFreeBytes</c> of returned arrays
/// are kept: past it a returned array takes the place of idle ones (of lengths no rent took since the last
/// <see cref="TrimIdle"/>), or goes back to the GC when too few are idle. And the rollup's sweep (<see cref="HeldSpanStore.Trim"/>)
/// lets go of the arrays that sat free a whole <see cref="HeldSpanStore.TrimIdleEvery"/> (<see cref="TrimIdle"/>), and of any beyond the
/// room the open spans leave under the rollup's bound (<see cref="TrimTo"/>). Exact lengths, not size classes: the first array of a run is a multiple of
/// 16 spans, so rounding it up to a power of two would hold a quarter more memory a span in every open run, while
/// exact lengths cost only the free arrays of lengths not asked for lately, which the trim lets go. An array let go
/// is freed by the next gen-2 collection (the pinned heap is collected with gen 2), which reuses its space.
/// </para>
/// </summary>
internal sealed class PinnedArrayPool<T>(long maxFreeBytes)
    where T : unmanaged
{
    private readonly Dictionary<int, FreeArrays> _free = [];

    /// <summary>Bytes of arrays returned and not rented again.</summary>
    public long FreeBytes { get; private set; }

    /// <summary>
    /// Bytes of the idle free arrays (<see cref="FreeArrays.Idle"/> of each length), kept as they change, so a return at
    /// the byte bound knows at once whether idle arrays can make room, without a pass over every length.
    /// </summary>
    public long IdleBytes { get; private set; }

    /// <summary>Arrays made because none of the length was free (a measure of reuse).</summary>
    public long Made { get; private set; }

    /// <summary>Arrays rented, made or reused.</summary>
    public long Rented { get; private set; }

    /// <summary>Arrays returned and then given back to the GC: past the byte bound, or trimmed.</summary>
    public long LetGo { get; private set; }

    /// <summary>An array of exactly <paramref name="length"/> values, holding whatever its last user left in it.</summary>
    public T[] Rent(int length)
    {
        Rented++;
        if (_free.TryGetValue(length, out var free) && free.Arrays.TryPop(out var array))
        {
            SetIdle(length, free, Math.Min(free.Idle, free.Arrays.Count));
            FreeBytes -= BytesOf(length);
            return array;
        }

        Made++;
        return GC.AllocateUninitializedArray<T>(length, pinned: true);
    }

    public void Return(T[] array)
    {
        if (array.Length == 0)
        {
            return;
        }

        var bytes = BytesOf(array.Length);
        if (FreeBytes + bytes > maxFreeBytes && !MakeRoomFromIdle(FreeBytes + bytes - maxFreeBytes, array.Length))
        {
            LetGo++;
            return;
        }

        if (!_free.TryGetValue(array.Length, out var free))
        {
            _free[array.Length] = free = new FreeArrays();
        }

        free.Arrays.Push(array);
        FreeBytes += bytes;
    }

    /// <summary>
    /// Lets go of the arrays that stayed free since the last call (no rent of their length needed them), and starts
    /// counting idle arrays again.
    /// </summary>
    public void TrimIdle()
    {
        foreach (var (length, free) in _free)
        {
            for (var idle = free.Idle; idle > 0; idle--)
            {
                LetGoOne(length, free);
            }

            SetIdle(length, free, free.Arrays.Count);
            if (free.Arrays.Count == 0)
            {
                // A length no run holds free any more: dropped, so a return at the byte bound scans only lengths in use.
                _free.Remove(length);
            }
        }
    }

    /// <summary>Lets go of free arrays until at most <paramref name="maxBytes"/> are kept.</summary>
    public void TrimTo(long maxBytes)
    {
        if (FreeBytes <= maxBytes)
        {
            return;
        }

        foreach (var (length, free) in _free)
        {
            while (FreeBytes > maxBytes && free.Arrays.Count > 0)
            {
                LetGoOne(length, free);
            }
        }
    }

    /// <summary>
    /// Lets go of idle arrays of lengths other than <paramref name="keep"/> until <paramref name="bytes"/> are freed;
    /// false, letting none go, if the idle arrays hold fewer bytes than that.
    /// </summary>
    private bool MakeRoomFromIdle(long bytes, int keep)
    {
        var idleBytes = IdleBytes - (_free.TryGetValue(keep, out var kept) ? kept.Idle * BytesOf(keep) : 0);
        if (idleBytes < bytes)
        {
            return false;
        }

        foreach (var (length, free) in _free)
        {
            for (; length != keep && free.Idle > 0 && bytes > 0; bytes -= BytesOf(length))
            {
                LetGoOne(length, free);
            }
        }

        return true;
    }

    /// <summary>Lets go of one free array of the length, counted as one of its idle ones if any are.</summary>
    private void LetGoOne(int length, FreeArrays free)
    {
        free.Arrays.Pop();
        SetIdle(length, free, Math.Max(0, Math.Min(free.Idle - 1, free.Arrays.Count)));
        FreeBytes -= BytesOf(length);
        LetGo++;
    }

    /// <summary>Sets how many of a length's free arrays are idle, and <see cref="IdleBytes"/> with it.</summary>
    private void SetIdle(int length, FreeArrays free, int idle)
    {
        IdleBytes += (idle - free.Idle) * BytesOf(length);
        free.Idle = idle;
    }

    private static long BytesOf(int length) => (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    /// <summary>The free arrays of one length, and how many of them no rent has taken since the last trim.</summary>
    private sealed class FreeArrays
    {
        public Stack<T[]> Arrays { get; } = new();

        /// <summary>
        /// The fewest arrays free at once since the last trim: that many sat unused the whole time. Set through
        /// <see cref="SetIdle"/> only, which keeps <see cref="IdleBytes"/>.
        /// </summary>
        public int Idle { get; set; }
    }
}
