namespace TaskLens.Benchmarks.Load;

/// <summary>The current process's garbage collections and the time they paused it, to subtract as a window's difference.</summary>
internal sealed record ClientGc(int Collections, int Gen2, TimeSpan Paused)
{
    public static ClientGc Now() => new(GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());

    public ClientGc Since(ClientGc before) => new(Collections - before.Collections, Gen2 - before.Gen2, Paused - before.Paused);

    public override string ToString() => System.FormattableString.Invariant(
        $"sender's own GC: {Collections} collections ({Gen2} gen 2), paused {Paused.TotalMilliseconds:N0} ms");
}
