namespace TaskLens.Core.Goals;

/// <summary>
/// What every run's <see cref="RunSpanSet"/> shares: pooled arrays for held spans, their index slots and finalized runs'
/// span ids, and the numbers of span shapes and extras. One per rollup, guarded by its lock. The pools keep at most an eighth of
/// <see cref="GoalOptions.MaxSpansInMemory"/> spans' worth of free arrays each: a sweep finalizes a second's worth of
/// runs at a time and the next second's spans take their arrays, so that covers 250k spans/s at the default.
/// </summary>
internal sealed class HeldSpanStore(long maxSpansInMemory)
{
    public PinnedArrayPool<HeldSpan> Spans { get; } =
        new(maxSpansInMemory / 8 * System.Runtime.CompilerServices.Unsafe.SizeOf<HeldSpan>());

    /// <summary>Index slots run at most three quarters full, so up to twice (and a power of two above) the spans.</summary>
    public PinnedArrayPool<int> Slots { get; } = new(maxSpansInMemory / 8 * 2 * sizeof(int));

    /// <summary>Finalized runs' sorted span ids (<see cref="OpenRun.Compact"/>), kept for duplicates and late spans.</summary>
    public PinnedArrayPool<ulong> SpanIds { get; } = new(maxSpansInMemory / 8 * sizeof(ulong));

    public SpanSideTable Sides { get; } = new();
}
