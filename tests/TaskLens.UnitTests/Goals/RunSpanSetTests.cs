using TaskLens.Core.Goals;

namespace TaskLens.UnitTests.Goals;

public sealed class RunSpanSetTests
{
    private static readonly SpanShape Shape = new("op", "svc", null, SubTaskKind.Other);
    private static readonly SpanShape Chat = new("chat gpt-4o", "agent", "gpt-4o", SubTaskKind.Llm);
    private static readonly RunSpanExtras Failed = new("timeout", "triage", null, "planner", null);

    [Theory]
    [InlineData(0)] // a counter in the low bits
    [InlineData(40)] // a counter read in the other byte order: in the top bits, low bits all zero
    public void Add_CountingIdsPastSeveralGrowths_FindsEachAndOnlyThose(int shift)
    {
        var set = new RunSpanSet(new HeldSpanStore(2_000_000));
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
        var set = new RunSpanSet(new HeldSpanStore(2_000_000));
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

    [Fact]
    public void Add_SpansWithAndWithoutSideObjects_ReadBackAsGiven()
    {
        const ulong Start = 1_764_633_600_000_000_000;
        RunSpan[] spans =
        [
            default,
            new RunSpan { SpanId = 2, ParentSpanId = 1, StartUnixNano = Start, EndUnixNano = Start + 5, Shape = Chat, InputTokens = 9, OutputTokens = 3 },
            new RunSpan { SpanId = 3, StartUnixNano = Start, EndUnixNano = Start + 5, Shape = Chat, Extras = Failed, IsError = true },
            new RunSpan { SpanId = 4, StartUnixNano = Start, EndUnixNano = Start - 1, Shape = Shape, Throttled = true }, // wide
            new RunSpan { SpanId = 5, StartUnixNano = Start, EndUnixNano = Start + 7, Shape = Chat, ToolCallId = 42, InputTokens = 1 }, // wide
            new RunSpan { SpanId = 6, StartUnixNano = Start, Shape = Shape, Markers = GoalMarkers.Agent, Extras = Failed },
        ];
        var set = new RunSpanSet(new HeldSpanStore(2_000_000));

        foreach (var span in spans)
        {
            set.Add(span);
        }

        for (var i = 0; i < spans.Length; i++)
        {
            Assert.Equal(spans[i], set[i]);
            Assert.Same(spans[i].Shape, set[i].Shape);
            Assert.Same(spans[i].Extras, set[i].Extras);
        }
    }

    [Fact]
    public void Release_ThenAnotherRunFills_ReusesEveryArray_AndHoldsOnlyItsOwnSpans()
    {
        var store = new HeldSpanStore(2_000_000);
        var first = new RunSpanSet(store);
        first.EnsureCapacity(100);
        for (ulong i = 1; i <= 3_000; i++)
        {
            first.Add(new RunSpan { SpanId = i, StartUnixNano = i, Shape = i % 2 == 0 ? Shape : Chat, Extras = i % 7 == 0 ? Failed : null });
        }

        first.Release();
        Assert.Equal(0, first.Count);
        Assert.False(first.ContainsKey(1));
        var made = (store.Spans.Made, store.Slots.Made);
        Assert.True(store.Spans.FreeBytes > 0 && store.Slots.FreeBytes > 0);

        // A second run of the same size, grown the same way, takes the first one's arrays back.
        var second = new RunSpanSet(store);
        second.EnsureCapacity(100);
        for (ulong i = 1; i <= 3_000; i++)
        {
            second.Add(new RunSpan { SpanId = 1_000_000 + i, StartUnixNano = 7 * i, Shape = Chat });
        }

        Assert.Equal(made, (store.Spans.Made, store.Slots.Made));
        Assert.Equal(3_000, second.Count);
        for (ulong i = 1; i <= 3_000; i++)
        {
            Assert.False(second.ContainsKey(i));
            Assert.True(second.TryGetValue(1_000_000 + i, out var span));
            Assert.Equal((7 * i, Chat), (span.StartUnixNano, span.Shape));
            Assert.Null(span.Extras);
        }
    }

    [Fact]
    public void Add_ErrorSpansWithEqualExtras_ShareOneSideObject_AWideSpanKeepsItsOwn()
    {
        var store = new HeldSpanStore(2_000_000);
        var set = new RunSpanSet(store);
        set.Add(new RunSpan { SpanId = 1, Shape = Chat, Extras = Failed, IsError = true });
        set.Add(new RunSpan { SpanId = 2, Shape = Chat, Extras = Failed with { }, IsError = true });
        set.Add(new RunSpan { SpanId = 3, Shape = Shape, Extras = Failed, IsError = true });
        set.Add(new RunSpan { SpanId = 4, Shape = Chat, Extras = Failed, StartUnixNano = 10, EndUnixNano = 9 }); // wide: its own

        Assert.Same(set[0].Extras, set[1].Extras);
        Assert.Same(Chat, set[1].Shape);
        Assert.Same(Shape, set[2].Shape);
        Assert.Equal(9UL, set[3].EndUnixNano);
        Assert.Equal(Failed, set[3].Extras);

        // Numbered: the pairs (Chat, Failed) and (Shape, Failed); the wide span's side is in the run's own list.
        Assert.Equal(2, store.Sides.Count);
    }

    [Fact]
    public void Add_SidesPastTheTablesBound_KeepsThemInTheRun()
    {
        var store = new HeldSpanStore(2_000_000);
        for (var i = 0; i < SpanSideTable.MaxEntries; i++)
        {
            Assert.Equal(i, store.Sides.NumberOf(new SpanShape("op", "svc", null, SubTaskKind.Other)));
        }

        var set = new RunSpanSet(store);
        var unnumbered = new SpanShape("rare", "svc", null, SubTaskKind.Tool);
        set.Add(new RunSpan { SpanId = 1, Shape = unnumbered });
        set.Add(new RunSpan { SpanId = 2, Shape = Chat, Extras = Failed });

        Assert.Equal(-1, store.Sides.NumberOf(unnumbered));
        Assert.Same(unnumbered, set[0].Shape);
        Assert.Same(Chat, set[1].Shape);
        Assert.Same(Failed, set[1].Extras);
    }
}
