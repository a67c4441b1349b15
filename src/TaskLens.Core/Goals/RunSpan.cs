namespace TaskLens.Core.Goals;

/// <summary>
/// What the rollup keeps of one span: ids, times, and the facts a goal run is computed from, read once when the span
/// arrives (<see cref="RunSpanReader"/>). Its strings are pooled (<see cref="StringPool"/>), not the decoded batch's.
/// Kept small, with one reference, as millions are held at agent rates (64 bytes): what only error and
/// goal-marked spans have lives in <see cref="RunSpanExtras"/>, allocated for those spans alone, and held with the
/// span's shape in one object so the rest carry one reference for both (72 bytes with two).
/// </summary>
public readonly record struct RunSpan
{
    /// <summary>The <see cref="SpanShape"/>, or a <see cref="ShapedExtras"/> when the span has extras.</summary>
    private readonly object? _shapeAndExtras;

    public ulong SpanId { get; init; }

    /// <summary>0 when the span has no parent.</summary>
    public ulong ParentSpanId { get; init; }
    public ulong StartUnixNano { get; init; }
    public ulong EndUnixNano { get; init; }

    /// <summary>Name, service, model and kind, pooled (<see cref="SpanShape"/>).</summary>
    public SpanShape Shape
    {
        get => _shapeAndExtras as SpanShape ?? (_shapeAndExtras as ShapedExtras)?.Shape!;
        init => _shapeAndExtras = _shapeAndExtras is ShapedExtras held ? new ShapedExtras(value, held.Extras) : value;
    }

    // Null-safe: default(RunSpan) stands for "no goal span" in the calculator.
    public string Name => Shape?.Name ?? "";
    public string Service => Shape?.Service ?? "";

    /// <summary>
    /// A 64-bit hash of <c>gen_ai.tool.call.id</c> (never 0 when set; 0 when absent): the same id on a second span is
    /// a retried tool call. The hash, not the id, is held, as every call id is a distinct string.
    /// </summary>
    public ulong ToolCallId { get; init; }

    /// <summary><c>gen_ai.response.model</c>, else <c>gen_ai.request.model</c>.</summary>
    public string? Model => Shape?.Model;

    /// <summary>The status message and goal names, for error and goal-marked spans only.</summary>
    public RunSpanExtras? Extras
    {
        get => (_shapeAndExtras as ShapedExtras)?.Extras;
        init => _shapeAndExtras = value is null ? Shape : new ShapedExtras(Shape, value);
    }

    /// <summary>Token counts of one call (clamped to int: no single call comes near).</summary>
    public int InputTokens { get; init; }
    public int OutputTokens { get; init; }

    /// <summary>Input tokens served from the provider's prompt cache (part of <see cref="InputTokens"/>).</summary>
    public int CachedTokens { get; init; }
    public SubTaskKind Kind => Shape?.Kind ?? default;
    public bool IsError { get; init; }

    /// <summary>Refused for rate (HTTP 429, gRPC RESOURCE_EXHAUSTED).</summary>
    public bool Throttled { get; init; }

    /// <summary>Marked as a retry by the instrumentation (<c>tasklens.retry</c>, <c>http.request.resend_count</c> &gt; 0).</summary>
    public bool MarkedRetry { get; init; }

    /// <summary>Which goal markers this span carries (<see cref="GoalRule.Root"/> is decided per trace).</summary>
    public GoalMarkers Markers { get; init; }

    /// <summary>The status message, else <c>error.type</c>, for an error span; empty otherwise.</summary>
    public string ErrorMessage => Extras?.ErrorMessage ?? "";

    /// <summary><c>tasklens.goal.name</c>, else <c>tasklens.goal.id</c>.</summary>
    public string? ExplicitGoal => Extras?.ExplicitGoal;

    /// <summary><c>gen_ai.workflow.name</c>.</summary>
    public string? WorkflowName => Extras?.WorkflowName;

    /// <summary><c>gen_ai.agent.name</c>, else <c>gen_ai.agent.id</c>.</summary>
    public string? AgentName => Extras?.AgentName;

    /// <summary><c>traceloop.workflow.name</c> for a Traceloop workflow span.</summary>
    public string? FrameworkName => Extras?.FrameworkName;

    public ulong DurationNano => EndUnixNano > StartUnixNano ? EndUnixNano - StartUnixNano : 0;

    /// <summary>A span's shape with its extras, for the few spans that have extras.</summary>
    private sealed record ShapedExtras(SpanShape? Shape, RunSpanExtras Extras);
}

/// <summary>What only some spans carry: an error's message, and the names a goal marker gives.</summary>
public sealed record RunSpanExtras(string ErrorMessage, string? ExplicitGoal, string? WorkflowName, string? AgentName, string? FrameworkName);
