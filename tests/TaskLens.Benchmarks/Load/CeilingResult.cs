namespace TaskLens.Benchmarks.Load;

/// <summary>
/// The ceiling's median rate, its three passes, and what it inserted; where measured, ClickHouse's CPU per row (median
/// of the passes) while inserting, and until the merges those inserts started were done.
/// </summary>
internal sealed record CeilingResult(
    double RowsPerSecond, IReadOnlyList<double> Passes, long Rows, int Batches, int Views, double LongestMergeWaitSeconds,
    double ClickHouseCpuMicrosPerRow = double.NaN, double ClickHouseCpuWithMergesMicrosPerRow = double.NaN);
