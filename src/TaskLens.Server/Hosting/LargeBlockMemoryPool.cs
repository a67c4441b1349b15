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
/// GC, so a burst of connections does not hold its peak for ever.
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockBytes = 16 * 1024;

    /// <summary>Free blocks kept for reuse: 8 MiB, eight connections' worth of Kestrel's 1 MiB read-ahead.</summary>
    public const int RetainedBlocks = 512;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    private bool _disposed;

    public override int MaxBufferSize => BlockBytes;

    /// <summary>Blocks waiting for reuse (for tests).</summary>
    internal int FreeBlocks => Volatile.Read(ref _freeCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockBytes);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            block.Rented();
            return block;
        }

        return new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
        Volatile.Write(ref _freeCount, 0);
    }

    private void Return(Block block)
    {
        // A block returned after the pool was disposed, or beyond what is kept, is left to the GC.
        if (_disposed || Interlocked.Increment(ref _freeCount) > RetainedBlocks)
        {
            if (!_disposed)
            {
                Interlocked.Decrement(ref _freeCount);
            }

            return;
        }

        _free.Enqueue(block);
    }

    private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
    {
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

        public void Rented() => Volatile.Write(ref _returned, 0);

        /// <summary>Gives the block back; a second call (a double dispose) is ignored rather than pooling it twice.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                pool.Return(this);
            }
        }
    }
}
