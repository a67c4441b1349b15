using System.Buffers;
using System.Collections.Concurrent;

namespace TaskLens.Server.Hosting;

/// <summary>
/// Kestrel's memory pool with 16 KiB blocks instead of its own 4 KiB ones. The socket transport receives into the
/// rest of the block its input pipe is filling, so the block size bounds each <c>recv</c>: with 4 KiB blocks a
/// 512-span export (~290 KB) took ~70 reads, each preceded by a zero-byte wait-for-data read and each followed by a
/// pipe flush that woke the request's reader on the thread pool — 80% of the server's system calls under load
/// (docs/ingest.md, "Kernel time and copies"). 64 KiB blocks cut those calls further but made 300 concurrent HTTP/2
/// streams hold 16 times the memory (each stream's pipe holds whole blocks; the hostile-input flood test's budget
/// failed); 16 KiB is the size measured against that test. Blocks are pinned (the pinned object heap: sockets read into
/// them without pinning each time); at most <see cref="RetainedBlocks"/> free ones are kept, the rest go back to the
/// GC, so a burst of connections does not hold its peak for ever. Kestrel asks its factory for a pool per listening
/// endpoint and per I/O queue of each (two on two cores), so the factory's pools share one store of free blocks
/// (<see cref="FreeBlocks"/>) and one bound: with a store each, the three endpoints kept up to six times 8 MiB of pinned
/// blocks, and the pinned object heap held 18-25 MiB at the overload phase's peak (docs/ingest.md, memory).
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockBytes = 16 * 1024;

    /// <summary>Free blocks kept for reuse: 8 MiB, eight connections' worth of Kestrel's 1 MiB read-ahead.</summary>
    public const int RetainedBlocks = 512;

    private readonly Store _store;
    private readonly bool _ownsStore;
    private bool _disposed;

    /// <summary>A pool with a store of its own.</summary>
    public LargeBlockMemoryPool()
        : this(new Store(), ownsStore: true)
    {
    }

    private LargeBlockMemoryPool(Store store, bool ownsStore)
    {
        _store = store;
        _ownsStore = ownsStore;
    }

    public override int MaxBufferSize => BlockBytes;

    /// <summary>Blocks waiting for reuse in this pool's store, shared or not (for tests).</summary>
    internal int FreeBlocks => _store.Count;

    /// <summary>Pools that share one store of free blocks and its bound; disposing one leaves the store to the others.</summary>
    internal static Func<LargeBlockMemoryPool> Sharing()
    {
        var store = new Store();
        return () => new LargeBlockMemoryPool(store, ownsStore: false);
    }

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockBytes);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_store.TryTake(out var block))
        {
            block.Rented(this);
            return block;
        }

        return new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        if (_ownsStore)
        {
            _store.Clear();
        }
    }

    private void Return(Block block)
    {
        // A block returned after its pool was disposed, or beyond what the store keeps, is left to the GC.
        if (!_disposed)
        {
            _store.Return(block);
        }
    }

    /// <summary>Free blocks, at most <see cref="RetainedBlocks"/>.</summary>
    private sealed class Store
    {
        private readonly ConcurrentQueue<Block> _free = new();
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public bool TryTake([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Block? block)
        {
            if (_free.TryDequeue(out block))
            {
                Interlocked.Decrement(ref _count);
                return true;
            }

            return false;
        }

        public void Return(Block block)
        {
            if (Interlocked.Increment(ref _count) > RetainedBlocks)
            {
                Interlocked.Decrement(ref _count);
                return;
            }

            _free.Enqueue(block);
        }

        public void Clear()
        {
            _free.Clear();
            Volatile.Write(ref _count, 0);
        }
    }

    private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        private LargeBlockMemoryPool _pool = pool;
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockBytes, pinned: true);
        private int _returned;

        public Memory<byte> Memory
        {
            get
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _returned) == 1, this);
                return _array;
            }
        }

        /// <summary>Taken from a store, by <paramref name="pool"/> (one of the pools sharing it): it goes back through that pool.</summary>
        public void Rented(LargeBlockMemoryPool pool)
        {
            _pool = pool;
            Volatile.Write(ref _returned, 0);
        }

        /// <summary>Gives the block back; a second call (a double dispose) is ignored rather than pooling it twice.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                _pool.Return(this);
            }
        }
    }
}
