using Microsoft.Extensions.ObjectPool;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Receivers;

/// <summary>Reuses span batches across exports so their arrays are allocated once, not per request.</summary>
internal sealed class SpanBatchPool
{
    private readonly ObjectPool<SpanBatch> _pool = new DefaultObjectPool<SpanBatch>(new Policy(), Environment.ProcessorCount * 4);

    public SpanBatch Rent() => _pool.Get();

    public void Return(SpanBatch batch) => _pool.Return(batch);

    private sealed class Policy : PooledObjectPolicy<SpanBatch>
    {
        // A batch that held a huge export is not kept: one burst must not pin its memory for good.
        private const int MaxRetainedSpans = 20_000;

        public override SpanBatch Create() => new();

        public override bool Return(SpanBatch batch)
        {
            var keep = batch.SpanCount <= MaxRetainedSpans;
            batch.Clear();
            return keep;
        }
    }
}
