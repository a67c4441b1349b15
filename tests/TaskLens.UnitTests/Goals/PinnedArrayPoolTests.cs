using TaskLens.Core.Goals;

namespace TaskLens.UnitTests.Goals;

public sealed class PinnedArrayPoolTests
{
    [Fact]
    public void Rent_AfterReturn_GivesTheSameArrayBack_OnlyForItsLength()
    {
        var pool = new PinnedArrayPool<long>(maxFreeBytes: 1_000);
        var array = pool.Rent(16);
        pool.Return(array);

        Assert.Equal(128, pool.FreeBytes);
        Assert.NotSame(array, pool.Rent(32));
        Assert.Same(array, pool.Rent(16));
        Assert.Equal(0, pool.FreeBytes);
        Assert.Equal(2, pool.Made);
    }

    [Fact]
    public void Return_PastTheBound_KeepsNoMoreThanIt()
    {
        var pool = new PinnedArrayPool<long>(maxFreeBytes: 300);
        var arrays = Enumerable.Range(0, 5).Select(_ => pool.Rent(16)).ToList();

        arrays.ForEach(pool.Return);

        Assert.Equal(256, pool.FreeBytes); // two of 128 bytes; a third would pass 300
        Assert.Equal(5, pool.Made);
        Assert.Contains(pool.Rent(16), arrays);
        Assert.Contains(pool.Rent(16), arrays);
        Assert.Equal(5, pool.Made);
        pool.Rent(16);
        Assert.Equal(6, pool.Made);
    }

    [Fact]
    public void Return_EmptyArray_IsNotKept()
    {
        var pool = new PinnedArrayPool<int>(maxFreeBytes: 1_000);
        pool.Return([]);
        Assert.Equal(0, pool.FreeBytes);
    }
}
