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
        for (var i = 0; i < set.Count; i++)
        {
            Assert.Equal((ulong)(i + 1) << shift, set[i].SpanId);
            Assert.Equal(i, set.IndexOf(set[i].SpanId));
        }
    }

    [Theory]
    [InlineData(RunSpanSet.ChunkSize)]
    [InlineData(RunSpanSet.ChunkSize + 1)]
    [InlineData(5_001)]
    public void EnsureCapacity_PastOneChunk_ThenAdd_KeepsArrivalOrderAcrossChunks(int spans)
    {
        var set = new RunSpanSet();
        set.EnsureCapacity(spans);
        for (var i = 0; i < spans; i++)
        {
            set.Add(new RunSpan { SpanId = (ulong)(spans - i), StartUnixNano = (ulong)i, Shape = Shape });
        }

        set.Add(new RunSpan { SpanId = 1_000_000, Shape = Shape });

        Assert.Equal(spans + 1, set.Count);
        for (var i = 0; i < spans; i++)
        {
            Assert.Equal((ulong)(spans - i), set[i].SpanId);
            Assert.Equal((ulong)i, set[i].StartUnixNano);
        }

        Assert.Equal(spans, set.IndexOf(1_000_000));
        Assert.Equal(-1, set.IndexOf(0));
    }
}
