using System.Runtime.CompilerServices;
using TaskLens.Core.Goals;

namespace TaskLens.UnitTests.Goals;

/// <summary>
/// A held span packs its end as a duration and its tool call id or tokens in one word; whatever does not fit goes to a
/// side object, and every value reads back exactly as set, whichever way the span was made.
/// </summary>
public sealed class RunSpanPackingTests
{
    private const ulong Start = 1_764_633_600_000_000_000;
    private static readonly SpanShape Chat = new("chat gpt-4o", "agent", "gpt-4o", SubTaskKind.Llm);
    private static readonly RunSpanExtras Failed = new("timeout", null, null, null, null);

    public static TheoryData<ulong, ulong, ulong, int, int, int> Values => new()
    {
        // start, end, tool call id, input, output, cached
        { Start, Start + 1_500_000_000, 0, 1_200, 300, 1_000 },
        { Start, Start, 0, 0, 0, 0 },
        { Start, Start + ((1UL << 48) - 1), 0, (1 << 23) - 1, (1 << 18) - 1, (1 << 23) - 1 },
        { Start, Start + 20_000_000, 0xDEAD_BEEF_0000_0001, 0, 0, 0 },
        { Start, Start + 20_000_000, ulong.MaxValue, 0, 0, 0 },
        // Wide: an end before the start, or 2^48 ns (78 hours) after it.
        { Start, Start - 1, 0, 10, 10, 0 },
        { Start, Start + (1UL << 48), 0, 10, 10, 0 },
        { Start, 0, 0, 0, 0, 0 },
        { 0, ulong.MaxValue, 0, 0, 0, 0 },
        // Wide: tokens past the packed widths, or negative (set directly, never read so).
        { Start, Start + 5, 0, 1 << 23, 0, 0 },
        { Start, Start + 5, 0, 0, 1 << 18, 0 },
        { Start, Start + 5, 0, 0, 0, 1 << 23 },
        { Start, Start + 5, 0, int.MaxValue, int.MaxValue, int.MaxValue },
        { Start, Start + 5, 0, -1, 0, 0 },
        // Wide: a tool call id and tokens on one span.
        { Start, Start + 5, 42, 1, 0, 0 },
        { Start, Start + 5, 42, 0, 0, 7 },
    };

    [Fact]
    public void SizeOf_RunSpan_Is48Bytes() => Assert.Equal(48, Unsafe.SizeOf<RunSpan>());

    [Theory]
    [MemberData(nameof(Values))]
    public void Create_AnyValues_ReadBackAsSet(ulong start, ulong end, ulong toolCallId, int input, int output, int cached)
    {
        foreach (var extras in new[] { null, Failed })
        {
            var span = RunSpan.Create(9, 8, start, end, Chat, extras, toolCallId, input, output, cached, isError: extras is not null, throttled: true, markedRetry: false, GoalMarkers.Agent | GoalMarkers.Framework);

            Assert.Equal((9UL, 8UL, start, end, toolCallId), (span.SpanId, span.ParentSpanId, span.StartUnixNano, span.EndUnixNano, span.ToolCallId));
            Assert.Equal((input, output, cached), (span.InputTokens, span.OutputTokens, span.CachedTokens));
            Assert.Equal((extras is not null, true, false), (span.IsError, span.Throttled, span.MarkedRetry));
            Assert.Equal(GoalMarkers.Agent | GoalMarkers.Framework, span.Markers);
            Assert.Same(Chat, span.Shape);
            Assert.Same(extras, span.Extras);
            Assert.Equal(end > start ? end - start : 0, span.DurationNano);
        }
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void Init_ValuesInEitherOrder_EqualsCreate(ulong start, ulong end, ulong toolCallId, int input, int output, int cached)
    {
        var created = RunSpan.Create(3, 0, start, end, Chat, Failed, toolCallId, input, output, cached, isError: true, throttled: false, markedRetry: true, GoalMarkers.Explicit);

        var endFirst = new RunSpan
        {
            EndUnixNano = end, CachedTokens = cached, ToolCallId = toolCallId, Markers = GoalMarkers.Explicit, SpanId = 3, Extras = Failed,
            OutputTokens = output, StartUnixNano = start, MarkedRetry = true, InputTokens = input, IsError = true, Shape = Chat,
        };
        var startFirst = new RunSpan
        {
            SpanId = 3, StartUnixNano = start, Shape = Chat, IsError = true, MarkedRetry = true, Markers = GoalMarkers.Explicit,
            InputTokens = input, OutputTokens = output, CachedTokens = cached, ToolCallId = toolCallId, EndUnixNano = end, Extras = Failed,
        };

        Assert.Equal(created, endFirst);
        Assert.Equal(created, startFirst);
        Assert.Equal(end, startFirst.EndUnixNano);
        Assert.Equal((input, output, cached, toolCallId), (endFirst.InputTokens, endFirst.OutputTokens, endFirst.CachedTokens, endFirst.ToolCallId));
    }

    [Fact]
    public void With_OneValueChanged_KeepsTheOthers()
    {
        var span = RunSpan.Create(1, 0, Start, Start + 1_000, Chat, null, 0, 500, 20, 100, isError: false, throttled: false, markedRetry: false, GoalMarkers.None);

        var moved = span with { StartUnixNano = Start + 10 };
        var failed = span with { IsError = true, Extras = Failed };
        var called = span with { ToolCallId = 77 };
        var cleared = called with { InputTokens = 0, OutputTokens = 0, CachedTokens = 0 };
        var marked = span with { Markers = GoalMarkers.Workflow };

        Assert.Equal((Start + 10, Start + 1_000), (moved.StartUnixNano, moved.EndUnixNano));
        Assert.Equal((true, "timeout", 500, 20, 100), (failed.IsError, failed.ErrorMessage, failed.InputTokens, failed.OutputTokens, failed.CachedTokens));
        Assert.Equal((77UL, 500, 20, 100), (called.ToolCallId, called.InputTokens, called.OutputTokens, called.CachedTokens));
        Assert.Equal((77UL, 0, Start + 1_000), (cleared.ToolCallId, cleared.InputTokens, cleared.EndUnixNano));
        Assert.Equal((GoalMarkers.Workflow, false, 500), (marked.Markers, marked.IsError, marked.InputTokens));
        Assert.Equal(span, span with { Markers = GoalMarkers.None });
        Assert.NotEqual(span, marked);
    }
}
