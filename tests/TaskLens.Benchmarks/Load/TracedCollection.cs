namespace TaskLens.Benchmarks.Load;

/// <summary>
/// One garbage collection as the runtime's GC events tell it (<see cref="GcTraceRun"/>): its number, generation,
/// reason and type, its wall-clock start (UTC), how long it ran, the time the runtime was paused for it (suspension
/// included; a background collection has two pauses, and a foreground collection inside it its own) and the bytes it
/// promoted out of gen 0 and gen 1 — what a blocking ephemeral collection copies.
/// </summary>
internal sealed class TracedCollection
{
    public required int Number { get; init; }

    public required int Generation { get; init; }

    public required string Reason { get; init; }

    public required string Type { get; init; }

    public required DateTime StartUtc { get; init; }

    public required double StartMs { get; init; }

    public double EndMs { get; set; } = double.NaN;

    public double PauseMs { get; set; }

    public double SuspendMs { get; set; }

    public int Pauses { get; set; }

    public long PromotedGen0Bytes { get; set; } = -1;

    public long PromotedGen1Bytes { get; set; }

    public long Gen2Bytes { get; set; }

    public bool Blocking => Type != "BackgroundGC";
}
