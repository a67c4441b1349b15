using Microsoft.Extensions.Logging;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Core.Goals;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Telemetry;
using TaskLens.Storage.Alerts;
using TaskLens.Storage.Findings;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Goals;
using TaskLens.Storage.Logs;
using TaskLens.Storage.Metrics;

namespace TaskLens.Storage;

/// <summary>
/// Writes log records, metric points and goal runs to ClickHouse, one insert per batch (the spool drainer and the
/// goal rollup hand over large batches, so no further grouping is needed here). Completes once the insert has; a
/// refusal of the rows themselves becomes <see cref="StoreRejectedException"/>, any other failure a retryable
/// <see cref="SpanSinkUnavailableException"/>.
/// </summary>
internal sealed class TableWriter(ClickHouseClient client, RowBinaryBufferPool segments, TimeProvider time, ILogger<TableWriter> logger) : ILogSink, IMetricSink, IGoalRunSink, IFindingSink
{
    public Task WriteAsync(LogBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return InsertAsync(LogRowEncoder.Table, LogRowEncoder.Columns, batch.Rows.Count, (rows, now) => LogRowEncoder.Encode(batch, rows, now), cancellationToken);
    }

    public Task WriteAsync(MetricBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return InsertAsync(MetricRowEncoder.Table, MetricRowEncoder.Columns, batch.Points.Count, (rows, now) => MetricRowEncoder.Encode(batch, rows, now), cancellationToken);
    }

    public Task WriteAsync(IReadOnlyList<GoalRun> runs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return InsertAsync(GoalRunRowEncoder.Table, GoalRunRowEncoder.Columns, runs.Count, (rows, now) => GoalRunRowEncoder.Encode(runs, rows, now), cancellationToken);
    }

    public Task WriteAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(findings);
        return InsertAsync(FindingRowEncoder.Table, FindingRowEncoder.Columns, findings.Count, (rows, _) => FindingRowEncoder.Encode(findings, rows), cancellationToken);
    }

    private async Task InsertAsync(string table, IReadOnlyList<string> columns, int count, Action<RowBinaryWriter, uint> encode, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        using var rows = new RowBinaryWriter(segments);
        encode(rows, (uint)time.GetUtcNow().ToUnixTimeSeconds());
        try
        {
            await client.InsertRowBinaryAsync(table, columns, rows, cancellationToken);
            StorageLog.RowsWritten(logger, count, table);
        }
        catch (ClickHouseException e) when (e.IsPermanent)
        {
            StorageLog.RowWriteFailed(logger, count, table, e);
            throw new StoreRejectedException($"ClickHouse refused these {table} rows for good: {e.Message}", e);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            StorageLog.RowWriteFailed(logger, count, table, e);
            throw new SpanSinkUnavailableException($"ClickHouse could not store the {table}; retry later.", e);
        }
    }
}
