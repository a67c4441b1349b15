using System.Buffers;

namespace TaskLens.Benchmarks.Stages;

/// <summary>
/// An array's bytes as memory that does not say it is an array (<c>MemoryMarshal.TryGetArray</c> fails), so the drain's
/// decode copies each text slice into its parts first, as before it copied text once: that cost beside the one-copy
/// drain in the same process.
/// </summary>
internal sealed class ArraylessMemory(byte[] bytes) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => bytes;

    public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException("Nothing pins the stages' exports.");

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
