namespace TaskLens.Benchmarks.Load;

/// <summary>
/// The ceiling's median rate, its three passes, and what it inserted (and the rows its tables held before, untimed);
/// where measured, ClickHouse's CPU per row (median of the passes) while inserting, and until the merges those inserts
/// started were done; and when the last pass began and ended (its merges done) with its CPU, for a profile of that pass alone.
/// </summary>
internal sealed record CeilingResult(
    double RowsPerSecond, IReadOnlyList<double> Passes, long Rows, int Batches, long RowsHeldBefore, int Views, double LongestMergeWaitSeconds,
    double ClickHouseCpuMicrosPerRow = double.NaN, double ClickHouseCpuWithMergesMicrosPerRow = double.NaN,
    (long From, long To) LastPassUnixSeconds = default, double LastPassClickHouseCpuSeconds = double.NaN);
