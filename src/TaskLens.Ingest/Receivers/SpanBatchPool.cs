using Microsoft.Extensions.ObjectPool;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// Reuses span batches across exports so their arrays are allocated once, not per request. A batch's arrays only grow,
/// so a pool keeps up to <c>4 × cores</c> batches the size of the largest export each once held:
/// the receive path's validate-only batches therefore have a pool of their own with a lower bound
/// (<see cref="ForValidation"/>), so they do not take turns with the drainer's run-sized batches and keep all of them
/// alive (issue 20: 8-10 batches of ~7.7 MB on the large-object heap). That pool also keeps one batch of a large
/// export (up to <see cref="MaxLargeValidationSpans"/> spans, ~2.5 MB of arrays for a 5,000-span agent export) for the
/// next large export (<see cref="Rent(bool)"/>): without it every such export grew a fresh batch through the doublings,
/// some 5 MB of large-object-heap garbage each, and those allocations drove gen-2 collections whose pauses fell on
/// acknowledgements (docs/ingest.md, "Memory and acknowledgement latency").
/// </summary>
internal sealed class SpanBatchPool(int maxRetainedSpans = SpanBatchPool.MaxRetainedSpans, int maxLargeSpans = 0)
{
    /// <summary>The largest export whose validation batch the receive path keeps for the next large one.</summary>
    public const int MaxLargeValidationSpans = 8_192;

    // A batch that held a huge export is not kept: one burst must not pin its memory for good.
    private const int MaxRetainedSpans = 20_000;

    // An SDK export is 512 spans; a batch that held more goes to the one large slot, or to the GC.
    private const int MaxRetainedValidationSpans = 2_048;

    private readonly ObjectPool<SpanBatch> _pool = new DefaultObjectPool<SpanBatch>(new Policy(maxRetainedSpans), Environment.ProcessorCount * 4);
    private SpanBatch? _large;

    /// <summary>A pool for the receive path's validate-only decodes (the spool on).</summary>
    public static SpanBatchPool ForValidation() => new(MaxRetainedValidationSpans, MaxLargeValidationSpans);

    public SpanBatch Rent() => _pool.Get();

    /// <summary>A batch; for a <paramref name="large"/> export the kept large batch, when no other export has it.</summary>
    public SpanBatch Rent(bool large) => large && Interlocked.Exchange(ref _large, null) is { } kept ? kept : _pool.Get();

    public void Return(SpanBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.SpanCount > maxRetainedSpans && batch.SpanCount <= maxLargeSpans)
        {
            batch.Clear();

            // Kept if the slot is free; otherwise the GC takes it.
            Interlocked.CompareExchange(ref _large, batch, null);
            return;
        }

        _pool.Return(batch);
    }

    private sealed class Policy(int maxRetainedSpans) : PooledObjectPolicy<SpanBatch>
    {
        public override SpanBatch Create() => new();

        public override bool Return(SpanBatch batch)
        {
            var keep = batch.SpanCount <= maxRetainedSpans;
            batch.Clear();
            return keep;
        }
    }
}
