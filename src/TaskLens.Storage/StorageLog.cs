using Microsoft.Extensions.Logging;

namespace TaskLens.Storage;

/// <summary>Storage log messages, event ids 3000-3099. Never row values, never credentials.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(3000, LogLevel.Warning, "ClickHouse request failed transiently (code {Code}: {Reason}); retry {Attempt} of {MaxRetries} in {DelayMs:0} ms")]
    public static partial void Retrying(ILogger logger, int attempt, int maxRetries, double delayMs, int code, string reason);

    [LoggerMessage(3001, LogLevel.Information, "Applied schema migration {Id} ({Name})")]
    public static partial void MigrationApplied(ILogger logger, int id, string name);

    [LoggerMessage(3002, LogLevel.Information, "Skipped schema migration {Id} ({Name}): needs a newer ClickHouse than {ServerVersion}")]
    public static partial void MigrationSkipped(ILogger logger, int id, string name, string serverVersion);

    [LoggerMessage(3003, LogLevel.Debug, "Wrote {Spans} spans of {Exports} exports")]
    public static partial void SpansWritten(ILogger logger, int spans, int exports);

    [LoggerMessage(3004, LogLevel.Error, "Writing {Spans} spans to ClickHouse failed; their exports were answered with a retryable error")]
    public static partial void SpanWriteFailed(ILogger logger, int spans, Exception exception);

    [LoggerMessage(3005, LogLevel.Debug, "Wrote {Rows} rows to {Table}")]
    public static partial void RowsWritten(ILogger logger, int rows, string table);

    [LoggerMessage(3006, LogLevel.Error, "Writing {Rows} rows to {Table} failed")]
    public static partial void RowWriteFailed(ILogger logger, int rows, string table, Exception exception);

    // 3040-3049: retention.
    [LoggerMessage(3040, LogLevel.Information, "Retention: dropped {What}")]
    public static partial void RetentionDropped(ILogger logger, string what);

    [LoggerMessage(3041, LogLevel.Warning, "Retention: a pass failed; the next runs at the next interval")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);

    [LoggerMessage(3042, LogLevel.Information, "Retention: moved {Table} to partitions by day")]
    public static partial void MovedToDailyPartitions(ILogger logger, string table);

    [LoggerMessage(3044, LogLevel.Warning, "Retention: moving {Table} to partitions by day failed; it stays by month (retention drops whole months) and the move is tried again at the next start")]
    public static partial void MoveToDailyPartitionsFailed(ILogger logger, string table, Exception exception);

    // 3050-3059: the state database (app state in SQLite).
    [LoggerMessage(3050, LogLevel.Information, "State database ready at {Path} ({Applied} schema steps applied now)")]
    public static partial void StateMigrated(ILogger logger, int applied, string path);

    [LoggerMessage(3051, LogLevel.Information, "Moved incident and alert state from ClickHouse to the state database at {Path}: {Incidents} incidents, {Alerts} alert states (one-shot, at first start)")]
    public static partial void StateImported(ILogger logger, int incidents, int alerts, string path);
}
