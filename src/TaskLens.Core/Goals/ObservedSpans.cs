using System.Buffers;

namespace TaskLens.Core.Goals;

/// <summary>
/// The goal facts of one stored run or batch, and each span's trace, on their way into the rollup: in pooled chunks of
/// <see cref="ChunkSize"/> (48 KiB of facts, 16 KiB of trace ids), so a drained run of tens of thousands of spans grows
/// without copying and without large-object arrays (an array doubled to the run's size was 4 MiB of facts and 1 MiB of
/// ids at 64K spans, on the large-object heap and kept there by the shared pool). Not thread-safe: one reader fills it,
/// then the rollup reads it.
/// </summary>
internal sealed class ObservedSpans : IDisposable
{
    public const int ChunkSize = 1 << ChunkShift;
    private const int ChunkShift = 10;

    private RunSpan[][] _facts = new RunSpan[4][];
    private (ulong High, ulong Low)[][] _traces = new (ulong High, ulong Low)[4][];
    private int _chunks;

    public int Count { get; private set; }

    /// <summary>The facts of span <paramref name="index"/>, in the order added.</summary>
    public ref readonly RunSpan Fact(int index) => ref _facts[index >> ChunkShift][index & (ChunkSize - 1)];

    /// <summary>The trace of span <paramref name="index"/>.</summary>
    public (ulong High, ulong Low) Trace(int index) => _traces[index >> ChunkShift][index & (ChunkSize - 1)];

    public void Add(in RunSpan fact, ulong traceIdHigh, ulong traceIdLow)
    {
        if (Count == _chunks << ChunkShift)
        {
            if (_chunks == _facts.Length)
            {
                Array.Resize(ref _facts, _chunks * 2);
                Array.Resize(ref _traces, _chunks * 2);
            }

            _facts[_chunks] = ArrayPool<RunSpan>.Shared.Rent(ChunkSize);
            _traces[_chunks] = ArrayPool<(ulong High, ulong Low)>.Shared.Rent(ChunkSize);
            _chunks++;
        }

        _facts[Count >> ChunkShift][Count & (ChunkSize - 1)] = fact;
        _traces[Count >> ChunkShift][Count & (ChunkSize - 1)] = (traceIdHigh, traceIdLow);
        Count++;
    }

    /// <summary>Gives the chunks back; the set is empty after it and may be filled again.</summary>
    public void Dispose()
    {
        for (var i = 0; i < _chunks; i++)
        {
            // Not cleared: a RunSpan holds pooled shapes (StringPool) and, for the few with extras, a small side object.
            ArrayPool<RunSpan>.Shared.Return(_facts[i]);
            ArrayPool<(ulong High, ulong Low)>.Shared.Return(_traces[i]);
            _facts[i] = null!;
            _traces[i] = null!;
        }

        _chunks = 0;
        Count = 0;
    }
}
