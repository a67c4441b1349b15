using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace TaskLens.Server.Hosting;

/// <summary>
/// Hands Kestrel (its socket transport and HTTP/2) <see cref="LargeBlockMemoryPool"/>s that share one store of free
/// blocks, so what is kept between uses is bounded once for the process, not once per endpoint and I/O queue.
/// </summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    private readonly Func<LargeBlockMemoryPool> _pools = LargeBlockMemoryPool.Sharing();

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => _pools();
}
