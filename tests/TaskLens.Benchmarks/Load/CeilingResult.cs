namespace TaskLens.Benchmarks.Load;

/// <summary>The ceiling's median rate, its three passes, and what it inserted.</summary>
internal sealed record CeilingResult(double RowsPerSecond, IReadOnlyList<double> Passes, long Rows, int Batches, int Views, double LongestMergeWaitSeconds);
