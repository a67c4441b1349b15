using Microsoft.Extensions.ObjectPool;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// Reuses the spool-off path's span batches across exports so their arrays are allocated once, not per request. A
/// batch's arrays only grow, so the pool keeps up to <c>4 × cores</c> batches, each no larger than
/// <c>maxRetainedSpans</c> spans once held. With the spool on, ingest's validation keeps no batch at all
/// (<see cref="Otlp.OtlpTraceDecoder.Validate"/>), so neither a pool of its own nor a kept batch for large exports.
/// </summary>
internal sealed class SpanBatchPool(int maxRetainedSpans = SpanBatchPool.MaxRetainedSpans)
{
    // A batch that held a huge export is not kept: one burst must not pin its memory for good.
    private const int MaxRetainedSpans = 20_000;

    private readonly ObjectPool<SpanBatch> _pool = new DefaultObjectPool<SpanBatch>(new Policy(maxRetainedSpans), Environment.ProcessorCount * 4);

    public SpanBatch Rent() => _pool.Get();

    public void Return(SpanBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
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
