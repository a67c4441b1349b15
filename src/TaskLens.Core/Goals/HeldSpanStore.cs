namespace TaskLens.Core.Goals;

/// <summary>
/// What every run's <see cref="RunSpanSet"/> shares: pooled arrays for held spans, their index slots and finalized runs'
/// span ids, and the numbers of span shapes and extras. One per rollup, guarded by its lock. The pools keep at most an
/// eighth of <see cref="GoalOptions.MaxSpansInMemory"/> spans' worth of free arrays each: a sweep finalizes a second's
/// worth of runs at a time and the next second's spans take their arrays, so that covers 250k spans/s at the default.
/// Each sweep trims them (<see cref="Trim"/>), so free arrays of lengths not in use go back to the GC and free span
/// arrays stay within the room the open spans leave under the bound.
/// </summary>
internal sealed class HeldSpanStore(long maxSpansInMemory)
{
    /// <summary>
    /// An array free this long is not needed at the rate runs now finalize: a run's arrays are returned when it is
    /// finalized, and the runs that arrive in the next seconds take them. As long as the quiet period, so a burst of
    /// large runs leaves its arrays in the pools for a minute at most.
    /// </summary>
    public static readonly TimeSpan TrimIdleEvery = TimeSpan.FromSeconds(30);

    private long _lastIdleTrimMs;

    public PinnedArrayPool<HeldSpan> Spans { get; } = new(maxSpansInMemory / 8 * SpanBytes);

    /// <summary>Index slots run at most three quarters full, so up to twice (and a power of two above) the spans.</summary>
    public PinnedArrayPool<int> Slots { get; } = new(maxSpansInMemory / 8 * SlotBytesPerSpan);

    /// <summary>Finalized runs' sorted span ids (<see cref="OpenRun.Compact"/>), kept for duplicates and late spans.</summary>
    public PinnedArrayPool<ulong> SpanIds { get; } = new(maxSpansInMemory / 8 * sizeof(ulong));

    public SpanSideTable Sides { get; } = new();

    private static int SpanBytes => System.Runtime.CompilerServices.Unsafe.SizeOf<HeldSpan>();

    private static int SlotBytesPerSpan => 2 * sizeof(int);

    /// <summary>
    /// Called by every sweep: keeps free span arrays and slots within what <paramref name="openSpans"/> leave of the
    /// bound (open spans plus free arrays never past it), and every <see cref="TrimIdleEvery"/> lets go of the free
    /// arrays no rent took since the last time.
    /// </summary>
    public void Trim(long nowMs, long openSpans)
    {
        var room = Math.Max(0, maxSpansInMemory - openSpans);
        Spans.TrimTo(room * SpanBytes);
        Slots.TrimTo(room * SlotBytesPerSpan);
        if (nowMs - _lastIdleTrimMs >= (long)TrimIdleEvery.TotalMilliseconds)
        {
            _lastIdleTrimMs = nowMs;
            Spans.TrimIdle();
            Slots.TrimIdle();
            SpanIds.TrimIdle();
        }
    }
}
