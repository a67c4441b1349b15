namespace TaskLens.Core.Goals;

/// <summary>
/// One finalized goal run: a trace's goal span with everything else in the trace as its sub-tasks. Re-finalizing
/// the same spans gives the same run; a late span gives a run with a higher <see cref="Version"/> that replaces it.
/// </summary>
public sealed record GoalRun
{
    public required string Tenant { get; init; }
    public required string GoalName { get; init; }

    /// <summary>The trace id in hex: one run per trace, as rollup state is keyed by trace.</summary>
    public required string RunId { get; init; }
    public required GoalRule Rule { get; init; }

    /// <summary>0 for an abandoned run whose goal span never arrived.</summary>
    public ulong GoalSpanId { get; init; }
    public required string Service { get; init; }
    public required GoalRunOutcome Outcome { get; init; }
    public ulong StartUnixNano { get; init; }
    public ulong EndUnixNano { get; init; }
    public ulong DurationNano => EndUnixNano > StartUnixNano ? EndUnixNano - StartUnixNano : 0;

    /// <summary>Sub-tasks (every span of the trace but the goal span and its ancestors) by kind.</summary>
    public int LlmCalls { get; init; }
    public int ToolCalls { get; init; }
    public int DbCalls { get; init; }
    public int HttpCalls { get; init; }
    public int OtherSubTasks { get; init; }
    public int SubTasks => LlmCalls + ToolCalls + DbCalls + HttpCalls + OtherSubTasks;

    /// <summary>The most children of any one span.</summary>
    public int FanOut { get; init; }

    /// <summary>Levels below the goal span: 0 when it has no children, 1 with children only, and so on.</summary>
    public int Depth { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CachedTokens { get; init; }

    /// <summary>US dollars for the priced LLM calls; null when no call could be priced.</summary>
    public double? Cost { get; init; }

    /// <summary>LLM calls with tokens whose model is not in the price table.</summary>
    public int UnpricedCalls { get; init; }
    public int Errors { get; init; }
    public string FirstError { get; init; } = "";
    public ulong FirstErrorSpanId { get; init; }
    public int Throttled { get; init; }
    public int Retries { get; init; }

    /// <summary>Time the goal spent waiting on sub-tasks along its critical path (see docs/goals.md).</summary>
    public ulong CriticalPathNano { get; init; }

    /// <summary>The sub-tasks on the critical path, in time order.</summary>
    public IReadOnlyList<ulong> CriticalPathSpanIds { get; init; } = [];

    /// <summary>Spans seen beyond the per-run limit: counted in the totals above, not in fan-out, depth or critical path.</summary>
    public int SpansNotTracked { get; init; }

    /// <summary>
    /// Calls between services seen in the run — a span whose parent is in another service — as (caller, callee), each
    /// pair once. Not stored with the run: it feeds the service links incidents correlate by.
    /// </summary>
    public IReadOnlyList<(string Caller, string Callee)> ServiceCalls { get; init; } = [];

    /// <summary>Distinct spans seen; grows with every late span, so the latest finalization wins.</summary>
    public required ulong Version { get; init; }
}
