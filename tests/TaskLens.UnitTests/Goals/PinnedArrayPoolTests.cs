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
        Assert.Contains(pool.Rent(16), arrays, ReferenceEqualityComparer.Instance);
        Assert.Contains(pool.Rent(16), arrays, ReferenceEqualityComparer.Instance);
        Assert.Equal(5, pool.Made);
        pool.Rent(16);
        Assert.Equal(6, pool.Made);
    }

    [Fact]
    public void TrimIdle_ArraysNoRentTookSinceTheLastTrim_AreLetGo()
    {
        var pool = new PinnedArrayPool<long>(maxFreeBytes: 10_000);
        var small = Enumerable.Range(0, 3).Select(_ => pool.Rent(16)).ToList();
        var large = Enumerable.Range(0, 2).Select(_ => pool.Rent(32)).ToList();
        small.ForEach(pool.Return);
        large.ForEach(pool.Return);

        // The first trim only starts counting: nothing was free the whole time before it.
        pool.TrimIdle();
        Assert.Equal((3 * 128) + (2 * 256), pool.FreeBytes);

        // One array of 16 is rented and given back; the other two of 16 and both of 32 sat free until the next trim.
        pool.Return(pool.Rent(16));
        pool.TrimIdle();

        Assert.Equal(128, pool.FreeBytes);
        Assert.Equal(4, pool.LetGo);
        Assert.Contains(pool.Rent(16), small, ReferenceEqualityComparer.Instance);
        Assert.Equal(5, pool.Made);
        Assert.DoesNotContain(pool.Rent(32), large, ReferenceEqualityComparer.Instance);
        Assert.Equal(6, pool.Made);
    }

    [Fact]
    public void Return_PastTheBound_TakesThePlaceOfIdleArraysOfOtherLengths()
    {
        var pool = new PinnedArrayPool<long>(maxFreeBytes: 256);
        var large = new[] { pool.Rent(16), pool.Rent(16) };
        var small = pool.Rent(8);
        Array.ForEach(large, pool.Return);
        pool.TrimIdle();

        // 256 + 64 bytes would pass the bound: one idle array of 16 (128 bytes) makes room for the array of 8.
        pool.Return(small);

        Assert.Equal(128 + 64, pool.FreeBytes);
        Assert.Equal(1, pool.LetGo);
        Assert.Same(small, pool.Rent(8));
        Assert.Contains(pool.Rent(16), large, ReferenceEqualityComparer.Instance);
        Assert.Equal(3, pool.Made);
    }

    [Fact]
    public void Return_PastTheBound_WithTooFewIdleBytes_LetsTheReturnedArrayGo()
    {
        var pool = new PinnedArrayPool<long>(maxFreeBytes: 192);
        var idle = pool.Rent(8);
        var busy = pool.Rent(16);
        var returned = pool.Rent(16);
        pool.Return(idle);
        pool.Return(busy);
        pool.TrimIdle();
        pool.Return(pool.Rent(16)); // an array of 16 was rented since the trim, so none of that length is idle

        // 192 + 128 bytes would pass the bound; the idle array of 8 holds 64 of the 128 needed: none is let go for it.
        pool.Return(returned);

        Assert.Equal(64 + 128, pool.FreeBytes);
        Assert.Equal(1, pool.LetGo);
        Assert.Same(idle, pool.Rent(8));
    }

    [Fact]
    public void TrimTo_LetsGoOfFreeArraysPastTheBytesGiven()
    {
        var pool = new PinnedArrayPool<int>(maxFreeBytes: 10_000);
        var arrays = Enumerable.Range(0, 6).Select(i => pool.Rent(16 * (1 + (i % 2)))).ToList();
        arrays.ForEach(pool.Return);
        Assert.Equal((3 * 64) + (3 * 128), pool.FreeBytes);

        pool.TrimTo(300);

        Assert.InRange(pool.FreeBytes, 1, 300);
        Assert.InRange(pool.LetGo, 3, 5);
        pool.TrimTo(0);
        Assert.Equal((0L, 6L), (pool.FreeBytes, pool.LetGo));
    }

    [Fact]
    public void Return_EmptyArray_IsNotKept()
    {
        var pool = new PinnedArrayPool<int>(maxFreeBytes: 1_000);
        pool.Return([]);
        Assert.Equal(0, pool.FreeBytes);
    }

    [Fact]
    public void IdleBytes_KeptAsArraysAreRentedReturnedAndTrimmed_IsWhatTheNextTrimLetsGo()
    {
        var pool = new PinnedArrayPool<long>(maxFreeBytes: 4_096);
        var random = new Random(13);
        var rented = new List<long[]>();
        for (var step = 0; step < 20_000; step++)
        {
            switch (random.Next(10))
            {
                case < 4:
                    rented.Add(pool.Rent(16 * random.Next(1, 6)));
                    break;
                case < 8 when rented.Count > 0:
                    var i = random.Next(rented.Count);
                    pool.Return(rented[i]);
                    rented.RemoveAt(i);
                    break;
                case 8:
                    pool.TrimTo(random.Next(4_096));
                    break;
                default:
                    // The trim lets go of exactly the idle arrays, and then counts every free array idle.
                    var (free, idle, letGo) = (pool.FreeBytes, pool.IdleBytes, pool.LetGo);
                    Assert.InRange(idle, 0, free);
                    pool.TrimIdle();
                    Assert.Equal(free - idle, pool.FreeBytes);
                    Assert.Equal(pool.FreeBytes, pool.IdleBytes);
                    Assert.True(idle == 0 ? pool.LetGo == letGo : pool.LetGo > letGo);
                    break;
            }

            Assert.InRange(pool.FreeBytes, 0, 4_096);
        }

        Assert.True(pool.LetGo > 100, $"{pool.LetGo} arrays let go: the bound and the trims were not exercised");
    }
}
