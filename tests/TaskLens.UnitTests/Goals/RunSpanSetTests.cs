using TaskLens.Core.Goals;

namespace TaskLens.UnitTests.Goals;

public sealed class RunSpanSetTests
{
    private static readonly SpanShape Shape = new("op", "svc", null, SubTaskKind.Other);

    [Theory]
    [InlineData(0)] // a counter in the low bits
    [InlineData(40)] // a counter read in the other byte order: in the top bits, low bits all zero
    public void Add_CountingIdsPastSeveralGrowths_FindsEachAndOnlyThose(int shift)
    {
        var set = new RunSpanSet();
        set.EnsureCapacity(100);
        for (ulong i = 1; i <= 20_000; i++)
        {
            Assert.False(set.ContainsKey(i << shift));
            set.Add(new RunSpan { SpanId = i << shift, ParentSpanId = i, Shape = Shape });
        }

        Assert.Equal(20_000, set.Count);
        for (ulong i = 1; i <= 20_000; i++)
        {
            Assert.True(set.TryGetValue(i << shift, out var span));
            Assert.Equal(i, span.ParentSpanId);
        }

        Assert.False(set.ContainsKey(20_001UL << shift));
        Assert.False(set.TryGetValue(0, out _));
        Assert.Equal(20_000, set.Values.Length);
    }
}
