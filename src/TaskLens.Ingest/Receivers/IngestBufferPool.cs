using System.Buffers;
using System.Numerics;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// The pool for ingest's large buffers: request bodies, inflated bodies, gRPC messages and spool reads. It keeps at
/// most <see cref="RetainBytes"/> of returned arrays in all (<c>TaskLens:Ingest:PooledBufferBytes</c>) and lets the
/// rest go to the GC. <see cref="ArrayPool{T}.Shared"/> keeps up to 32 arrays per size per core and trims them only
/// after a minute unused or when the machine (not the process) is short of memory, so under steady load it held its
/// high-water mark of export-sized arrays on the large-object heap (issue 20). The arrays in use are bounded by the
/// admission budget (bodies) and the drainer's read size (spool reads); this bounds what is kept between uses.
/// Arrays of 64 KiB or less stay in the shared pool: they are small-object-heap arrays, cheap to keep.
/// </summary>
public sealed class IngestBufferPool : ArrayPool<byte>
{
    /// <summary>Default for <see cref="RetainBytes"/>: what two cores' worth of SDK exports and one drain read reuse.</summary>
    public const long DefaultRetainBytes = 32L * 1024 * 1024;

    private const int SmallShift = 16;
    private const int MaxShift = 30;
    private readonly Stack<byte[]>[] _buckets = new Stack<byte[]>[MaxShift - SmallShift];
    private readonly Lock _gate = new();
    private long _retainBytes;
    private long _retained;

    public IngestBufferPool(long retainBytes = DefaultRetainBytes)
    {
        RetainBytes = retainBytes;
        for (var i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] = new Stack<byte[]>();
        }
    }

    /// <summary>The one pool ingest's receivers and spool use; its bound is set from the options at start-up.</summary>
    public static new IngestBufferPool Shared { get; } = new();

    /// <summary>At most this many bytes of returned arrays are kept for reuse; lowering it drops the surplus now.</summary>
    public long RetainBytes
    {
        get => Interlocked.Read(ref _retainBytes);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate)
            {
                _retainBytes = value;
                for (var i = _buckets.Length - 1; i >= 0 && _retained > value; i--)
                {
                    while (_retained > value && _buckets[i].TryPop(out var dropped))
                    {
                        _retained -= dropped.Length;
                    }
                }
            }
        }
    }

    /// <summary>Bytes of arrays kept for reuse now (not counting arrays rented out).</summary>
    public long RetainedBytes => Interlocked.Read(ref _retained);

    public override byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        var size = IBufferBudget.RentedSize(minimumLength);
        if (size <= 1 << SmallShift)
        {
            return ArrayPool<byte>.Shared.Rent(minimumLength);
        }

        if (size > 1 << MaxShift)
        {
            return GC.AllocateUninitializedArray<byte>(minimumLength);
        }

        lock (_gate)
        {
            if (_buckets[Bucket((int)size)].TryPop(out var pooled))
            {
                _retained -= pooled.Length;
                return pooled;
            }
        }

        // Uninitialized: every caller writes before it reads, and zeroing an export-sized array costs as much as the copy.
        return GC.AllocateUninitializedArray<byte>((int)size);
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length <= 1 << SmallShift)
        {
            ArrayPool<byte>.Shared.Return(array, clearArray);
            return;
        }

        if (array.Length > 1 << MaxShift || !BitOperations.IsPow2(array.Length))
        {
            return;
        }

        if (clearArray)
        {
            Array.Clear(array);
        }

        lock (_gate)
        {
            if (_retained + array.Length <= _retainBytes)
            {
                _buckets[Bucket(array.Length)].Push(array);
                _retained += array.Length;
            }
        }
    }

    private static int Bucket(int size) => BitOperations.Log2((uint)size) - SmallShift - 1;
}
