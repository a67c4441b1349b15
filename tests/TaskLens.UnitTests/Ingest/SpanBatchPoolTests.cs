using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Receivers;

namespace TaskLens.UnitTests.Ingest;

public sealed class SpanBatchPoolTests
{
    [Fact]
    public void Rent_LargeAfterALargeExportReturned_ReusesItsBatchOnce()
    {
        var pool = SpanBatchPool.ForValidation();
        var first = Filled(pool.Rent(large: true), 5_000);
        pool.Return(first);

        var second = pool.Rent(large: true);
        var third = pool.Rent(large: true);

        Assert.Same(first, second);
        Assert.Equal(0, second.SpanCount);
        Assert.NotSame(first, third);
    }

    [Fact]
    public void Rent_SmallExport_DoesNotTakeTheLargeBatch()
    {
        var pool = SpanBatchPool.ForValidation();
        var large = Filled(pool.Rent(large: true), 5_000);
        pool.Return(large);

        Assert.NotSame(large, pool.Rent(large: false));
        Assert.Same(large, pool.Rent(large: true));
    }

    [Fact]
    public void Return_PastTheLargeBound_KeepsNothing()
    {
        var pool = SpanBatchPool.ForValidation();
        var huge = Filled(pool.Rent(large: true), SpanBatchPool.MaxLargeValidationSpans + 1);
        pool.Return(huge);

        Assert.NotSame(huge, pool.Rent(large: true));
        Assert.NotSame(huge, pool.Rent(large: false));
    }

    [Fact]
    public void Return_TwoLargeBatches_KeepsOne()
    {
        var pool = SpanBatchPool.ForValidation();
        var a = Filled(pool.Rent(large: true), 3_000);
        var b = Filled(pool.Rent(large: true), 3_000);
        pool.Return(a);
        pool.Return(b);

        Assert.Same(a, pool.Rent(large: true));
        var next = pool.Rent(large: true);
        Assert.NotSame(a, next);
        Assert.NotSame(b, next);
    }

    [Fact]
    public void Return_LargeBatchToTheDrainersPool_IsNotKeptAsLarge()
    {
        var pool = new SpanBatchPool(maxRetainedSpans: 2_048);
        var large = Filled(pool.Rent(large: true), 5_000);
        pool.Return(large);

        Assert.NotSame(large, pool.Rent(large: true));
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
