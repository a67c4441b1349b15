using TaskLens.Ingest;
using TaskLens.Ingest.Receivers;

namespace TaskLens.UnitTests.Ingest;

public sealed class IngestBufferPoolTests
{
    private const int Large = 512 * 1024;

    [Fact]
    public void Rent_ExportSizedLength_ReturnsThePowerOfTwoAboveIt()
    {
        var pool = new IngestBufferPool(retainBytes: 4 * Large);

        var array = pool.Rent(320_000);

        Assert.Equal(Large, array.Length);
        Assert.Equal(IBufferBudget.RentedSize(320_000), array.Length);
    }

    [Fact]
    public void Rent_AfterReturn_ReusesTheArrayAndNoLongerRetainsIt()
    {
        var pool = new IngestBufferPool(retainBytes: 4 * Large);
        var first = pool.Rent(Large);
        pool.Return(first);
        Assert.Equal(Large, pool.RetainedBytes);

        var second = pool.Rent(Large - 1);

        Assert.Same(first, second);
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void Return_PastRetainBytes_KeepsOnlyWhatFits()
    {
        var pool = new IngestBufferPool(retainBytes: 2 * Large);
        var arrays = Enumerable.Range(0, 5).Select(_ => pool.Rent(Large)).ToList();

        arrays.ForEach(a => pool.Return(a));

        Assert.Equal(2 * Large, pool.RetainedBytes);
        var again = Enumerable.Range(0, 5).Select(_ => pool.Rent(Large)).ToList();
        Assert.Equal(2, again.Count(a => arrays.Contains(a)));
    }

    [Fact]
    public void RetainBytes_Lowered_DropsTheSurplusAtOnce()
    {
        var pool = new IngestBufferPool(retainBytes: 8 * Large);
        var arrays = Enumerable.Range(0, 6).Select(_ => pool.Rent(Large)).ToList();
        arrays.ForEach(a => pool.Return(a));
        Assert.Equal(6 * Large, pool.RetainedBytes);

        pool.RetainBytes = Large;

        Assert.Equal(Large, pool.RetainedBytes);
    }

    [Fact]
    public void RentAndReturn_SmallOrForeignArrays_AreNotRetained()
    {
        var pool = new IngestBufferPool(retainBytes: 8 * Large);

        var small = pool.Rent(1000);
        pool.Return(small);
        pool.Return(new byte[Large + 1]);

        Assert.Equal(1024, small.Length);
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void Validate_NegativePooledBufferBytes_IsAnError_ButAboveASmallBudgetIsNot()
    {
        var negative = new IngestOptions { PooledBufferBytes = -1 }.Validate();
        // A small budget with the default pool bound is valid: the pool keeps no more than the budget.
        var small = new IngestOptions { MaxRequestBytes = 32768, MaxBytesInFlight = 65536 }.Validate();

        Assert.Contains(negative, e => e.StartsWith("PooledBufferBytes", StringComparison.Ordinal));
        Assert.Empty(small);
    }
}
