namespace TaskLens.Core.Goals;

/// <summary>
/// What the rollup keeps of one span: ids, times, and the facts a goal run is computed from, read once when the span
/// arrives (<see cref="RunSpanReader"/>). Strings are shared with the decoded batch; nothing else is held.
/// </summary>
public readonly record struct RunSpan
{
    public ulong SpanId { get; init; }

    /// <summary>0 when the span has no parent.</summary>
    public ulong ParentSpanId { get; init; }
    public ulong StartUnixNano { get; init; }
    public ulong EndUnixNano { get; init; }
    public string Name { get; init; }
    public string Service { get; init; }
    public SubTaskKind Kind { get; init; }
    public bool IsError { get; init; }

    /// <summary>The status message, else <c>error.type</c>, for an error span; empty otherwise.</summary>
    public string ErrorMessage { get; init; }

    /// <summary>Refused for rate (HTTP 429, gRPC RESOURCE_EXHAUSTED).</summary>
    public bool Throttled { get; init; }

    /// <summary>Marked as a retry by the instrumentation (<c>tasklens.retry</c>, <c>http.request.resend_count</c> &gt; 0).</summary>
    public bool MarkedRetry { get; init; }

    /// <summary><c>gen_ai.tool.call.id</c>: the same id on a second span is a retried tool call.</summary>
    public string? ToolCallId { get; init; }

    /// <summary><c>gen_ai.response.model</c>, else <c>gen_ai.request.model</c>.</summary>
    public string? Model { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }

    /// <summary>Input tokens served from the provider's prompt cache (part of <see cref="InputTokens"/>).</summary>
    public long CachedTokens { get; init; }

    /// <summary>Which goal markers this span carries (<see cref="GoalRule.Root"/> is decided per trace).</summary>
    public GoalMarkers Markers { get; init; }

    /// <summary><c>tasklens.goal.name</c>, else <c>tasklens.goal.id</c>.</summary>
    public string? ExplicitGoal { get; init; }

    /// <summary><c>gen_ai.workflow.name</c>.</summary>
    public string? WorkflowName { get; init; }

    /// <summary><c>gen_ai.agent.name</c>, else <c>gen_ai.agent.id</c>.</summary>
    public string? AgentName { get; init; }

    /// <summary><c>traceloop.workflow.name</c> for a Traceloop workflow span.</summary>
    public string? FrameworkName { get; init; }

    public ulong DurationNano => EndUnixNano > StartUnixNano ? EndUnixNano - StartUnixNano : 0;
}
