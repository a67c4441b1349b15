using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// One server histogram series over a window (<see cref="StageHistograms"/>): e.g. "tasklens_ingest_export_duration
/// durable large" or "tasklens_spool_append_duration sync", its count, and the upper bounds (ms) of the buckets its
/// p50, p90 and p99 fall in — infinity past the last bucket.
/// </summary>
internal sealed record StagePercentiles(string Series, long Count, double P50Ms, double P90Ms, double P99Ms)
{
    public static string Bound(double ms) => double.IsPositiveInfinity(ms) ? "inf" : ms.ToString("0.#", CultureInfo.InvariantCulture);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"  {Series}: n={Count} p50<={Bound(P50Ms)} p90<={Bound(P90Ms)} p99<={Bound(P99Ms)} ms");
}
