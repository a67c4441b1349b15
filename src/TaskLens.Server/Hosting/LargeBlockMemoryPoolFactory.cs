using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace TaskLens.Server.Hosting;

/// <summary>Hands Kestrel (its socket transport and HTTP/2) <see cref="LargeBlockMemoryPool"/>s.</summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}
