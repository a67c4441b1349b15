namespace TaskLens.Core.Goals;

/// <summary>
/// What the rollup keeps of one span: ids, times, and the facts a goal run is computed from, read once when the span
/// arrives (<see cref="RunSpanReader"/>). Its strings are pooled (<see cref="StringPool"/>), not the decoded batch's.
/// Kept small, as millions are held at agent rates: 48 bytes, one reference and five words. The end is held as a
/// 48-bit duration beside the flags in one word, and the call's numbers in another — a tool call id's hash, or the
/// three token counts packed — so what only some spans have lives in a side object allocated for those spans alone
/// (<see cref="SpanSide"/>): an error's message and a goal marker's names (<see cref="RunSpanExtras"/>), and the values
/// of the rare span whose numbers do not fit (an end before its start or 78 hours after it, tokens past the packed
/// widths, a tool call id and tokens on one span). Every value reads back exactly as it was set, in whatever order.
/// </summary>
public readonly record struct RunSpan
{
    private const int DurationBits = 48;
    private const ulong DurationMask = (1UL << DurationBits) - 1;
    private const int InputBits = 23;
    private const int OutputBits = 18;
    private const int CachedBits = 23;

    /// <summary>Where <see cref="Flag"/>'s <see cref="GoalMarkers"/> start.</summary>
    private const int MarkersShift = 8;

    private readonly ulong _start;

    /// <summary>The <see cref="SpanShape"/>, or a <see cref="SpanSide"/> when the span has extras or wide values.</summary>
    private readonly object? _side;

    /// <summary>Duration in the low 48 bits (0 when wide), <see cref="Flag"/>s above.</summary>
    private readonly ulong _timing;

    /// <summary>The tool call id's hash (<see cref="Flag.ToolCall"/>), else input, output and cached tokens packed (0 when wide).</summary>
    private readonly ulong _numbers;

    [Flags]
    private enum Flag : ushort
    {
        None = 0,
        Error = 1,
        Throttled = 2,
        MarkedRetry = 4,

        /// <summary><see cref="_numbers"/> holds the tool call id's hash.</summary>
        ToolCall = 8,

        /// <summary>End, tool call id and tokens are the side object's.</summary>
        Wide = 16,
    }

    public ulong SpanId { get; init; }

    /// <summary>0 when the span has no parent.</summary>
    public ulong ParentSpanId { get; init; }

    public ulong StartUnixNano
    {
        get => _start;
        init
        {
            var values = Unpacked;
            _start = value;
            (_side, _timing, _numbers) = Pack(values, value);
        }
    }

    public ulong EndUnixNano
    {
        get => (Flags & Flag.Wide) != 0 ? ((SpanSide)_side!).EndUnixNano : StartUnixNano + (_timing & DurationMask);
        init => (_side, _timing, _numbers) = Pack(Unpacked with { EndUnixNano = value }, _start);
    }

    /// <summary>Name, service, model and kind, pooled (<see cref="SpanShape"/>).</summary>
    public SpanShape Shape
    {
        get => _side as SpanShape ?? (_side as SpanSide)?.Shape!;
        init => (_side, _timing, _numbers) = Pack(Unpacked with { Shape = value }, _start);
    }

    // Null-safe: default(RunSpan) stands for "no goal span" in the calculator.
    public string Name => Shape?.Name ?? "";
    public string Service => Shape?.Service ?? "";

    /// <summary>
    /// A 64-bit hash of <c>gen_ai.tool.call.id</c> (never 0 when set; 0 when absent): the same id on a second span is
    /// a retried tool call. The hash, not the id, is held, as every call id is a distinct string.
    /// </summary>
    public ulong ToolCallId
    {
        get => (Flags & Flag.ToolCall) != 0 ? _numbers : (Flags & Flag.Wide) != 0 ? ((SpanSide)_side!).ToolCallId : 0;
        init => (_side, _timing, _numbers) = Pack(Unpacked with { ToolCallId = value }, _start);
    }

    /// <summary><c>gen_ai.response.model</c>, else <c>gen_ai.request.model</c>.</summary>
    public string? Model => Shape?.Model;

    /// <summary>The status message and goal names, for error and goal-marked spans only.</summary>
    public RunSpanExtras? Extras
    {
        get => (_side as SpanSide)?.Extras;
        init => (_side, _timing, _numbers) = Pack(Unpacked with { Extras = value }, _start);
    }

    /// <summary>Token counts of one call (clamped to int: no single call comes near).</summary>
    public int InputTokens
    {
        get => (Flags & (Flag.ToolCall | Flag.Wide)) switch
        {
            0 => (int)(_numbers & ((1UL << InputBits) - 1)),
            Flag.ToolCall => 0,
            _ => ((SpanSide)_side!).InputTokens,
        };
        init => (_side, _timing, _numbers) = Pack(Unpacked with { InputTokens = value }, _start);
    }

    public int OutputTokens
    {
        get => (Flags & (Flag.ToolCall | Flag.Wide)) switch
        {
            0 => (int)((_numbers >> InputBits) & ((1UL << OutputBits) - 1)),
            Flag.ToolCall => 0,
            _ => ((SpanSide)_side!).OutputTokens,
        };
        init => (_side, _timing, _numbers) = Pack(Unpacked with { OutputTokens = value }, _start);
    }

    /// <summary>Input tokens served from the provider's prompt cache (part of <see cref="InputTokens"/>).</summary>
    public int CachedTokens
    {
        get => (Flags & (Flag.ToolCall | Flag.Wide)) switch
        {
            0 => (int)(_numbers >> (InputBits + OutputBits)),
            Flag.ToolCall => 0,
            _ => ((SpanSide)_side!).CachedTokens,
        };
        init => (_side, _timing, _numbers) = Pack(Unpacked with { CachedTokens = value }, _start);
    }

    public SubTaskKind Kind => Shape?.Kind ?? default;

    public bool IsError
    {
        get => (Flags & Flag.Error) != 0;
        init => (_side, _timing, _numbers) = Pack(Unpacked with { Flags = Switch(Unpacked.Flags, Flag.Error, value) }, _start);
    }

    /// <summary>Refused for rate (HTTP 429, gRPC RESOURCE_EXHAUSTED).</summary>
    public bool Throttled
    {
        get => (Flags & Flag.Throttled) != 0;
        init => (_side, _timing, _numbers) = Pack(Unpacked with { Flags = Switch(Unpacked.Flags, Flag.Throttled, value) }, _start);
    }

    /// <summary>Marked as a retry by the instrumentation (<c>tasklens.retry</c>, <c>http.request.resend_count</c> &gt; 0).</summary>
    public bool MarkedRetry
    {
        get => (Flags & Flag.MarkedRetry) != 0;
        init => (_side, _timing, _numbers) = Pack(Unpacked with { Flags = Switch(Unpacked.Flags, Flag.MarkedRetry, value) }, _start);
    }

    /// <summary>Which goal markers this span carries (<see cref="GoalRule.Root"/> is decided per trace).</summary>
    public GoalMarkers Markers
    {
        get => (GoalMarkers)((int)Flags >> MarkersShift);
        init => (_side, _timing, _numbers) = Pack(Unpacked with { Markers = value }, _start);
    }

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

    private Flag Flags => (Flag)(_timing >> DurationBits);

    /// <summary>Every value but the ids and the start, as set.</summary>
    private Values Unpacked => new(
        Shape, Extras, EndUnixNano, ToolCallId, InputTokens, OutputTokens, CachedTokens,
        Flags & (Flag.Error | Flag.Throttled | Flag.MarkedRetry), Markers);

    /// <summary>A span read from its attributes (<see cref="RunSpanReader"/>): packed once, not once a value.</summary>
    internal static RunSpan Create(
        ulong spanId, ulong parentSpanId, ulong startUnixNano, ulong endUnixNano, SpanShape shape, RunSpanExtras? extras,
        ulong toolCallId, int inputTokens, int outputTokens, int cachedTokens, bool isError, bool throttled, bool markedRetry, GoalMarkers markers)
    {
        var flags = (isError ? Flag.Error : 0) | (throttled ? Flag.Throttled : 0) | (markedRetry ? Flag.MarkedRetry : 0);
        return new RunSpan(spanId, parentSpanId, startUnixNano,
            Pack(new Values(shape, extras, endUnixNano, toolCallId, inputTokens, outputTokens, cachedTokens, flags, markers), startUnixNano));
    }

    /// <summary>The span as a run holds it: its reference (shape or side object) handed out to be held apart.</summary>
    internal HeldSpan Hold(int side) => new(SpanId, ParentSpanId, _start, _timing, _numbers, side);

    /// <summary>The shape or side object <see cref="Hold"/> leaves out (null only for <c>default</c>).</summary>
    internal object? SideObject => _side;

    /// <summary>
    /// Whether the side object holds values that did not fit the struct (<see cref="Flag.Wide"/>): then it is the
    /// span's own; otherwise it holds only the shape and extras, and any side object with equal ones would do.
    /// </summary>
    internal bool HasWideValues => (Flags & Flag.Wide) != 0;

    /// <summary>A held span read back, with the reference <see cref="Hold"/> left out.</summary>
    internal static RunSpan FromHeld(in HeldSpan held, object? side) =>
        new(held.SpanId, held.ParentSpanId, held.StartUnixNano, (side, held.Timing, held.Numbers));

    private RunSpan(ulong spanId, ulong parentSpanId, ulong startUnixNano, (object? Side, ulong Timing, ulong Numbers) packed)
    {
        SpanId = spanId;
        ParentSpanId = parentSpanId;
        _start = startUnixNano;
        (_side, _timing, _numbers) = packed;
    }

    private static Flag Switch(Flag flags, Flag flag, bool on) => on ? flags | flag : flags & ~flag;

    private static (object? Side, ulong Timing, ulong Numbers) Pack(in Values values, ulong start)
    {
        var flags = values.Flags | (Flag)((int)values.Markers << MarkersShift);
        var duration = values.EndUnixNano - start;
        var fitsTime = values.EndUnixNano >= start && duration <= DurationMask;
        var tokens = values.InputTokens | values.OutputTokens | values.CachedTokens;
        var fitsTokens = values.InputTokens >= 0 && values.InputTokens < 1 << InputBits
            && values.OutputTokens >= 0 && values.OutputTokens < 1 << OutputBits
            && values.CachedTokens >= 0 && values.CachedTokens < 1 << CachedBits;
        var fitsNumbers = values.ToolCallId != 0 ? tokens == 0 : fitsTokens;
        if (!fitsTime || !fitsNumbers)
        {
            var side = new SpanSide(values.Shape, values.Extras, values.EndUnixNano, values.ToolCallId, values.InputTokens, values.OutputTokens, values.CachedTokens);
            return (side, (ulong)(flags | Flag.Wide) << DurationBits, 0);
        }

        object? shapeOrSide = values.Extras is null ? values.Shape : new SpanSide(values.Shape, values.Extras, 0, 0, 0, 0, 0);
        var timing = ((ulong)flags << DurationBits) | duration;
        if (values.ToolCallId != 0)
        {
            return (shapeOrSide, timing | ((ulong)Flag.ToolCall << DurationBits), values.ToolCallId);
        }

        var numbers = (ulong)(uint)values.InputTokens | ((ulong)(uint)values.OutputTokens << InputBits) | ((ulong)(uint)values.CachedTokens << (InputBits + OutputBits));
        return (shapeOrSide, timing, numbers);
    }


    /// <summary>What the packed fields hold, unpacked.</summary>
    private readonly record struct Values(
        SpanShape? Shape, RunSpanExtras? Extras, ulong EndUnixNano, ulong ToolCallId, int InputTokens, int OutputTokens, int CachedTokens,
        Flag Flags, GoalMarkers Markers);

    /// <summary>
    /// A span's shape with what does not fit the struct: its extras, and, for a wide span (<see cref="Flag.Wide"/>),
    /// its end, tool call id and tokens (0 otherwise).
    /// </summary>
    private sealed record SpanSide(
        SpanShape? Shape, RunSpanExtras? Extras, ulong EndUnixNano, ulong ToolCallId, int InputTokens, int OutputTokens, int CachedTokens);
}

/// <summary>What only some spans carry: an error's message, and the names a goal marker gives.</summary>
public sealed record RunSpanExtras(string ErrorMessage, string? ExplicitGoal, string? WorkflowName, string? AgentName, string? FrameworkName);
