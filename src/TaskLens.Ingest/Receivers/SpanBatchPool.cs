using Microsoft.Extensions.ObjectPool;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// Reuses span batches across exports so their arrays are allocated once, not per request. A batch's arrays only grow,
/// so a pool keeps up to <c>4 × cores</c> batches the size of the largest export each once held:
/// the receive path's validate-only batches therefore have a pool of their own with a lower bound
/// (<see cref="ForValidation"/>), so they do not take turns with the drainer's run-sized batches and keep all of them
/// alive (issue 20: 8-10 batches of ~7.7 MB on the large-object heap).
/// </summary>
internal sealed class SpanBatchPool(int maxRetainedSpans = SpanBatchPool.MaxRetainedSpans)
{
    // A batch that held a huge export is not kept: one burst must not pin its memory for good.
    private const int MaxRetainedSpans = 20_000;

    // An SDK export is 512 spans; a 5,000-span agent export's batch is dropped after it, not kept for the next one.
    private const int MaxRetainedValidationSpans = 2_048;

    private readonly ObjectPool<SpanBatch> _pool = new DefaultObjectPool<SpanBatch>(new Policy(maxRetainedSpans), Environment.ProcessorCount * 4);

    /// <summary>A pool for the receive path's validate-only decodes (the spool on).</summary>
    public static SpanBatchPool ForValidation() => new(MaxRetainedValidationSpans);

    public SpanBatch Rent() => _pool.Get();

    public void Return(SpanBatch batch) => _pool.Return(batch);

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
