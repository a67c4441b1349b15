using TaskLens.Core.Goals;

namespace TaskLens.UnitTests.Goals;

/// <summary>A held span keeps its shape and its rare extras in one reference; both read back whatever the order they are set in.</summary>
public sealed class RunSpanTests
{
    private static readonly SpanShape Chat = new("chat gpt-4o", "agent", "gpt-4o", SubTaskKind.Llm);
    private static readonly SpanShape Tool = new("execute_tool search", "tools", null, SubTaskKind.Tool);
    private static readonly RunSpanExtras Failed = new("timeout", "triage", null, "planner", null);

    [Fact]
    public void Init_ShapeThenExtras_OrExtrasThenShape_ReadsBoth()
    {
        var first = new RunSpan { SpanId = 1, Shape = Chat, Extras = Failed };
        var second = new RunSpan { SpanId = 1, Extras = Failed, Shape = Chat };

        foreach (var span in new[] { first, second })
        {
            Assert.Same(Chat, span.Shape);
            Assert.Same(Failed, span.Extras);
            Assert.Equal("chat gpt-4o", span.Name);
            Assert.Equal("agent", span.Service);
            Assert.Equal("gpt-4o", span.Model);
            Assert.Equal(SubTaskKind.Llm, span.Kind);
            Assert.Equal("timeout", span.ErrorMessage);
            Assert.Equal("triage", span.ExplicitGoal);
            Assert.Equal("planner", span.AgentName);
        }

        Assert.Equal(first, second);
    }

    [Fact]
    public void With_ChangedShapeOrExtras_KeepsTheOther()
    {
        var span = new RunSpan { SpanId = 7, Shape = Chat, Extras = Failed };

        var reshaped = span with { Shape = Tool };
        var cleared = span with { Extras = null };
        var plain = new RunSpan { SpanId = 7, Shape = Chat } with { Extras = Failed };

        Assert.Same(Tool, reshaped.Shape);
        Assert.Same(Failed, reshaped.Extras);
        Assert.Same(Chat, cleared.Shape);
        Assert.Null(cleared.Extras);
        Assert.Equal("", cleared.ErrorMessage);
        Assert.Equal(span, plain);
        Assert.NotEqual(span, cleared);
    }

    [Fact]
    public void Default_NoShapeNoExtras_ReadsEmpty()
    {
        var span = default(RunSpan);

        Assert.Null(span.Shape);
        Assert.Null(span.Extras);
        Assert.Equal("", span.Name);
        Assert.Equal("", span.Service);
        Assert.Null(span.Model);
        Assert.Equal("", span.ErrorMessage);
    }
}
