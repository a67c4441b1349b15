using TaskLens.Server.Hosting;

namespace TaskLens.UnitTests.Server;

public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void Rent_AnySizeUpToABlock_GivesAWholeBlock()
    {
        using var pool = new LargeBlockMemoryPool();

        using var small = pool.Rent(1);
        using var whole = pool.Rent(LargeBlockMemoryPool.BlockBytes);
        using var unspecified = pool.Rent();

        Assert.Equal(
            [LargeBlockMemoryPool.BlockBytes, LargeBlockMemoryPool.BlockBytes, LargeBlockMemoryPool.BlockBytes],
            [small.Memory.Length, whole.Memory.Length, unspecified.Memory.Length]);
        Assert.Equal(LargeBlockMemoryPool.BlockBytes, pool.MaxBufferSize);
    }

    [Fact]
    public void Rent_MoreThanABlock_Throws()
    {
        using var pool = new LargeBlockMemoryPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockBytes + 1));
    }

    [Fact]
    public void Rent_AfterAReturn_ReusesTheBlock()
    {
        using var pool = new LargeBlockMemoryPool();
        var first = pool.Rent();
        first.Memory.Span[0] = 42;
        first.Dispose();

        using var second = pool.Rent();

        Assert.Same(first, second);
        Assert.Equal(42, second.Memory.Span[0]);
        Assert.Equal(0, pool.FreeBlocks);
    }

    [Fact]
    public void Dispose_Twice_PoolsTheBlockOnce()
    {
        using var pool = new LargeBlockMemoryPool();
        var block = pool.Rent();

        block.Dispose();
        block.Dispose();

        Assert.Equal(1, pool.FreeBlocks);
        Assert.Throws<ObjectDisposedException>(() => block.Memory);
    }

    [Fact]
    public void Return_BeyondTheRetainedBlocks_LeavesTheRestToTheGc()
    {
        using var pool = new LargeBlockMemoryPool();
        var blocks = Enumerable.Range(0, LargeBlockMemoryPool.RetainedBlocks + 10).Select(_ => pool.Rent()).ToList();

        blocks.ForEach(b => b.Dispose());

        Assert.Equal(LargeBlockMemoryPool.RetainedBlocks, pool.FreeBlocks);
    }

    [Fact]
    public void Rent_AfterDispose_Throws()
    {
        var pool = new LargeBlockMemoryPool();
        var block = pool.Rent();
        pool.Dispose();

        block.Dispose();

        Assert.Equal(0, pool.FreeBlocks);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    [Fact]
    public void Create_PoolsOfOneFactory_KeepOneBoundInAll()
    {
        var factory = new LargeBlockMemoryPoolFactory();
        using var first = (LargeBlockMemoryPool)factory.Create();
        using var second = (LargeBlockMemoryPool)factory.Create();
        var blocks = Enumerable.Range(0, LargeBlockMemoryPool.RetainedBlocks)
            .SelectMany(_ => new[] { first.Rent(), second.Rent() }).ToList();

        blocks.ForEach(b => b.Dispose());

        Assert.Equal(LargeBlockMemoryPool.RetainedBlocks, first.FreeBlocks);
        Assert.Equal(LargeBlockMemoryPool.RetainedBlocks, second.FreeBlocks);
    }

    [Fact]
    public void Rent_FromASharingPool_ReusesABlockAnotherReturned()
    {
        var factory = new LargeBlockMemoryPoolFactory();
        using var first = factory.Create();
        using var second = factory.Create();
        var block = first.Rent();
        block.Dispose();

        using var reused = second.Rent();

        Assert.Same(block, reused);
    }

    [Fact]
    public void Dispose_OneSharingPool_LeavesTheStoreToTheOthers()
    {
        var factory = new LargeBlockMemoryPoolFactory();
        var first = factory.Create();
        using var second = (LargeBlockMemoryPool)factory.Create();
        var kept = second.Rent();
        var late = first.Rent();
        kept.Dispose();

        first.Dispose();
        late.Dispose();

        Assert.Equal(1, second.FreeBlocks);
        Assert.Throws<ObjectDisposedException>(() => first.Rent());
        using var again = second.Rent();
        Assert.Same(kept, again);
    }
}
