using System.Diagnostics.Metrics;
using TaskLens.Core;

namespace TaskLens.Storage.ClickHouse;

/// <summary>
/// Storage's figures for <c>/metrics</c> (the <see cref="MeterName"/> meter): how long each ClickHouse insert took,
/// retries included, and every failed attempt, by table and whether it was retried or given up.
/// </summary>
internal sealed class StorageMeter : ISelfMetrics
{
    public const string MeterName = "TaskLens.Storage";

    private readonly Histogram<double> _insertDuration;
    private readonly Counter<long> _insertErrors;

    public StorageMeter(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _insertDuration = meter.CreateHistogram(
            "tasklens.clickhouse.insert.duration", "s", "Time one insert into ClickHouse took, retries included, by table",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _insertErrors = meter.CreateCounter<long>(
            "tasklens.clickhouse.insert.errors", "{attempt}", "Failed insert attempts into ClickHouse, by table and outcome: retried, or given_up (the caller got the error)");
    }

    public void Inserted(string table, TimeSpan elapsed) =>
        _insertDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("table", table));

    public void InsertFailed(string table, bool retried) =>
        _insertErrors.Add(1, new KeyValuePair<string, object?>("table", table), new KeyValuePair<string, object?>("outcome", retried ? "retried" : "given_up"));
}
