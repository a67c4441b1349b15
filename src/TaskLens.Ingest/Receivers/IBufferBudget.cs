namespace TaskLens.Ingest.Receivers;

/// <summary>
/// Memory a request may still take: asked before each buffer is rented for its body or inflated body, told when one
/// is given back. The admission lease of the request implements it, so bytes are counted before they are used.
/// </summary>
public interface IBufferBudget
{
    /// <summary>Takes <paramref name="bytes"/>; false when the request must be pushed back instead.</summary>
    bool TryGrow(long bytes);

    /// <summary>Gives back <paramref name="bytes"/> of a buffer that was returned.</summary>
    void Shrink(long bytes);

    /// <summary>The size an <see cref="IngestBufferPool"/> (or <see cref="System.Buffers.ArrayPool{T}.Shared"/>) rental of <paramref name="length"/> bytes really takes.</summary>
    static long RentedSize(long length) => length <= 16 ? 16 : (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)length);
}
