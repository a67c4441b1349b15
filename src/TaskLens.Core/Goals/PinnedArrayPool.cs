namespace TaskLens.Core.Goals;

/// <summary>
/// Arrays of unmanaged values kept for reuse by exact length, made on the pinned object heap. The goal rollup holds its
/// spans for a quiet period of 30 s, so an array made in gen 0 for them was copied by two collections (gen 0 to 1 to 2)
/// and left gen-2 free space behind when the run was finalized; a pooled array is made once, never moved, and never read
/// by the GC (no references). At most <c>maxFreeBytes</c> of returned arrays are kept; past it one goes back to the GC,
/// whose pinned heap reuses its space for the next array of that size. Not thread-safe: guarded by the rollup's lock.
/// </summary>
internal sealed class PinnedArrayPool<T>(long maxFreeBytes)
    where T : unmanaged
{
    private readonly Dictionary<int, Stack<T[]>> _free = [];

    /// <summary>Bytes of arrays returned and not rented again.</summary>
    public long FreeBytes { get; private set; }

    /// <summary>Arrays made because none of the length was free (a measure of reuse).</summary>
    public long Made { get; private set; }

    /// <summary>An array of exactly <paramref name="length"/> values, holding whatever its last user left in it.</summary>
    public T[] Rent(int length)
    {
        if (_free.TryGetValue(length, out var free) && free.TryPop(out var array))
        {
            FreeBytes -= BytesOf(length);
            return array;
        }

        Made++;
        return GC.AllocateUninitializedArray<T>(length, pinned: true);
    }

    public void Return(T[] array)
    {
        var bytes = BytesOf(array.Length);
        if (array.Length == 0 || FreeBytes + bytes > maxFreeBytes)
        {
            return;
        }

        if (!_free.TryGetValue(array.Length, out var free))
        {
            _free[array.Length] = free = new Stack<T[]>();
        }

        free.Push(array);
        FreeBytes += bytes;
    }

    private static long BytesOf(int length) => (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
}
