namespace TaskLens.Core.Goals;

/// <summary>
/// The rollup's state for one trace: its spans by id (so duplicates fold), when spans last arrived, and totals for
/// spans past the per-run limit. Once finalized it keeps only its span ids (<see cref="Compact"/>), 8 bytes a span
/// instead of ~90: enough to fold duplicates; a late span has the run's spans reloaded from storage
/// (<see cref="Expand"/>). Guarded by the rollup's lock.
/// </summary>
internal sealed class OpenRun(string tenant, ulong traceIdHigh, ulong traceIdLow, long firstArrival, HeldSpanStore store)
{
    public string Tenant { get; } = tenant;
    public ulong TraceIdHigh { get; } = traceIdHigh;
    public ulong TraceIdLow { get; } = traceIdLow;
    /// <summary>The span ids of a finalized run, sorted, once its spans were let go; null while its spans are held.</summary>
    private ulong[]? _finalizedIds;

    /// <summary>How many of <see cref="_finalizedIds"/> are the run's (a pooled array is a multiple of 16 long).</summary>
    private int _finalizedCount;

    /// <summary>The spans held, in arrays rented from the rollup's pools; empty once the run is compacted.</summary>
    public RunSpanSet Spans { get; } = new(store);

    /// <summary>Ids of spans past the per-run limit, kept so their duplicates still fold; made for the few runs that need it.</summary>
    public HashSet<ulong>? UntrackedIds { get; private set; }

    /// <summary>Totals of the spans past the per-run limit (made with <see cref="UntrackedIds"/>).</summary>
    public UntrackedTotals? Untracked { get; private set; }
    public long FirstArrival { get; } = firstArrival;

    /// <summary>When a span not seen before last arrived (rollup clock, milliseconds).</summary>
    public long LastArrival { get; set; } = firstArrival;

    /// <summary>The version last finalized (distinct spans then); 0 while never finalized.</summary>
    public ulong FinalizedVersion { get; set; }

    /// <summary>When the run was last finalized (rollup clock); it is let go <see cref="GoalOptions.KeepFinalizedFor"/> later.</summary>
    public long FinalizedAt { get; set; }

    /// <summary>
    /// The most spans storage was seen to hold of this trace before a finalization (<see cref="GoalRollup.RunsDue"/>):
    /// a reload is asked only when storage holds more than this and than the run, so a count that stays ahead (more
    /// spans stored than the run may hold) never reloads the trace twice.
    /// </summary>
    public ulong StoredSeen { get; set; }

    /// <summary>The run, still without a goal span after a quiet period, was asked back from storage once.</summary>
    public bool ReloadAsked { get; set; }

    /// <summary>
    /// A span that some enabled goal rule takes has arrived (its marker, or a root span for the root rule), so
    /// <see cref="GoalRunCalculator"/> will find a goal span.
    /// </summary>
    public bool HasGoalCandidate { get; set; }

    /// <summary>The run was finalized and holds only its span ids; a new span of it waits for a reload.</summary>
    public bool IsCompacted => _finalizedIds is not null;

    /// <summary>A span not among a compacted run's ids arrived: the run's spans are to be reloaded from storage.</summary>
    public bool LateSpanWaiting { get; set; }

    public ulong Version => _finalizedIds is not null ? (ulong)_finalizedCount : (ulong)(Spans.Count + (UntrackedIds?.Count ?? 0));

    public bool IsFinalizedAndCurrent => FinalizedVersion != 0 && FinalizedVersion == Version;

    /// <summary>Whether a compacted run had the span (binary search of its ids).</summary>
    public bool HadSpan(ulong spanId) => Array.BinarySearch(_finalizedIds!, 0, _finalizedCount, spanId) >= 0;

    /// <summary>Lets go of the spans (and untracked totals), keeping their ids; the run's version stays the same.</summary>
    public void Compact()
    {
        var count = (int)Version;
        var ids = store.SpanIds.Rent((count + 15) / 16 * 16);
        for (var i = 0; i < Spans.Count; i++)
        {
            ids[i] = Spans[i].SpanId;
        }

        UntrackedIds?.CopyTo(ids, Spans.Count);
        Array.Sort(ids, 0, count);
        _finalizedIds = ids;
        _finalizedCount = count;
        Spans.Release();
        UntrackedIds = null;
        Untracked = null;
    }

    /// <summary>
    /// Drops a compacted run's ids before the stored spans of its trace are added back (a reload): the run then holds
    /// what storage holds, the late spans included, and is finalized again from all of them.
    /// </summary>
    public void Expand()
    {
        store.SpanIds.Return(_finalizedIds!);
        _finalizedIds = null;
        LateSpanWaiting = false;
    }

    /// <summary>Gives the run's pooled arrays back as it is let go: its span ids if compacted, else its spans.</summary>
    public void Release()
    {
        if (_finalizedIds is { } ids)
        {
            store.SpanIds.Return(ids);
            _finalizedIds = null;
        }

        Spans.Release();
    }

    /// <summary>Adds a span not seen before; false for a duplicate.</summary>
    public bool Add(in RunSpan span, int maxSpans, ModelPriceTable prices)
    {
        if (Spans.ContainsKey(span.SpanId) || UntrackedIds?.Contains(span.SpanId) == true)
        {
            return false;
        }

        if (Spans.Count < maxSpans)
        {
            Spans.Add(span);
        }
        else
        {
            (UntrackedIds ??= []).Add(span.SpanId);
            (Untracked ??= new UntrackedTotals()).Add(span, prices);
        }

        return true;
    }
}
