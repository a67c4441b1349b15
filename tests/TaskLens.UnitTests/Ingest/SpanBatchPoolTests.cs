using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Receivers;

namespace TaskLens.UnitTests.Ingest;

public sealed class SpanBatchPoolTests
{
    [Fact]
    public void Rent_AfterReturn_ReusesTheBatchCleared()
    {
        var pool = new SpanBatchPool(maxRetainedSpans: 2_048);
        var first = Filled(pool.Rent(), 500);
        pool.Return(first);

        var second = pool.Rent();

        Assert.Same(first, second);
        Assert.Equal(0, second.SpanCount);
    }

    [Fact]
    public void Return_PastTheBound_KeepsNothing()
    {
        var pool = new SpanBatchPool(maxRetainedSpans: 2_048);
        var large = Filled(pool.Rent(), 5_000);
        pool.Return(large);

        Assert.NotSame(large, pool.Rent());
    }

    private static SpanBatch Filled(SpanBatch batch, int spans)
    {
        for (var i = 0; i < spans; i++)
        {
            batch.AddSpan(new SpanRecord { SpanId = (ulong)i + 1, Name = "s" });
        }

        return batch;
    }
}
