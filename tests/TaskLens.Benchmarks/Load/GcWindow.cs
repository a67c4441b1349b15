using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// The server's garbage collections over a window (<see cref="StageHistograms"/>): each collection counted once, at its
/// highest generation (a gen-2 collection is not also a gen-0 one), and the time the runtime was paused for them, ms.
/// </summary>
internal sealed record GcWindow(long Gen0, long Gen1, long Gen2, double PauseMs)
{
    public long Collections => Gen0 + Gen1 + Gen2;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"  GC: {Collections} collections (gen0 {Gen0}, gen1 {Gen1}, gen2 {Gen2}), paused {PauseMs:N0} ms in all, {(Collections == 0 ? 0 : PauseMs / Collections):N1} ms each on average");
}
