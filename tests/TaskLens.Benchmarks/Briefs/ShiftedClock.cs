namespace TaskLens.Benchmarks.Briefs;

/// <summary>
/// The system clock moved by <see cref="Offset"/>; timers run on real time. A scenario plays an hour in a minute, so its
/// alerts are posted minutes after they started: while they are posted the clock is set back to each alert's start
/// (plus Alertmanager's group wait), so TaskLens receives each one when Alertmanager would have sent it.
/// </summary>
internal sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
