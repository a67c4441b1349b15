namespace TaskLens.Core.Goals;

/// <summary>What the rollup has done since start; read by its hosting service for logs and the benchmark.</summary>
public sealed record GoalRollupStats
{
    public long SpansObserved { get; init; }

    /// <summary>Spans already held for their run (a retried export): folded, not counted again.</summary>
    public long DuplicateSpans { get; init; }

    /// <summary>New spans of a run already finalized: the run is finalized again with them.</summary>
    public long LateSpans { get; init; }

    /// <summary>Spans of a run let go from memory after finalization: the run is reloaded from storage with them.</summary>
    public long LateSpansOfForgottenRuns { get; init; }

    /// <summary>Whole traces handed back from storage (late spans of forgotten runs, runs open at the last stop).</summary>
    public long RunsReloaded { get; init; }
    public long RunsFinalized { get; init; }

    /// <summary>Open runs finalized before their time because a memory limit was reached.</summary>
    public long RunsFinalizedEarly { get; init; }
    public int RunsInMemory { get; init; }
    /// <summary>Span facts held over all runs not finalized (or expanded again by a late span).</summary>
    public long SpansInMemory { get; init; }

    /// <summary>Span ids held by finalized runs (8 bytes each), so duplicates fold and late spans are told apart.</summary>
    public long FinalizedSpanIdsInMemory { get; init; }
}
