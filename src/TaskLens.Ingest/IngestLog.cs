using Microsoft.Extensions.Logging;

namespace TaskLens.Ingest;

/// <summary>Ingest log messages, event ids 2000-2099. Nothing per span: one line per rejected export at most.</summary>
internal static partial class IngestLog
{
    [LoggerMessage(2000, LogLevel.Debug, "OTLP {Transport} export rejected as malformed: {Reason}")]
    public static partial void MalformedExport(ILogger logger, string transport, string reason);

    [LoggerMessage(2001, LogLevel.Debug, "OTLP {Transport} export partially accepted: {Accepted} accepted, {Rejected} rejected: {Reason}")]
    public static partial void PartialSuccess(ILogger logger, string transport, int accepted, int rejected, string? reason);

    [LoggerMessage(2002, LogLevel.Warning, "OTLP {Transport} export refused because the span store is unavailable; the client was told to retry")]
    public static partial void StoreUnavailable(ILogger logger, string transport, Exception exception);

    [LoggerMessage(2003, LogLevel.Debug, "OTLP {Transport} request refused: {Status} {Reason}")]
    public static partial void RequestRefused(ILogger logger, string transport, int status, string reason);

    [LoggerMessage(2004, LogLevel.Warning, "Ingest open mode: exports without a key are stored under the tenant '{Tenant}'. Listeners are on loopback only.")]
    public static partial void OpenMode(ILogger logger, string tenant);

    [LoggerMessage(2010, LogLevel.Information, "Spool: found {Segments} segments ({Bytes} bytes) from an earlier run in {Directory}; replaying them into ClickHouse")]
    public static partial void SpoolFound(ILogger logger, int segments, long bytes, string directory);

    [LoggerMessage(2011, LogLevel.Error, "Spool: writing {Exports} exports failed; they were refused with a retryable answer")]
    public static partial void SpoolWriteFailed(ILogger logger, int exports, Exception exception);

    [LoggerMessage(2012, LogLevel.Error, "Spool: skipped {Bytes} unreadable bytes (torn or damaged records) in {Segment}")]
    public static partial void SpoolCorruption(ILogger logger, long bytes, string segment);

    [LoggerMessage(2013, LogLevel.Warning, "Spool: ClickHouse did not take spooled records ({SpoolBytes} bytes waiting); retrying with backoff, exports are still accepted up to the cap")]
    public static partial void SpoolDrainFailed(ILogger logger, long spoolBytes, Exception exception);

    [LoggerMessage(2014, LogLevel.Information, "Spool: ClickHouse takes records again after {FailedAttempts} failed attempts")]
    public static partial void SpoolDrainResumed(ILogger logger, int failedAttempts);

    [LoggerMessage(2015, LogLevel.Warning, "OTLP {Transport} export refused: {Reason}")]
    public static partial void SpoolFull(ILogger logger, string transport, string reason);
}
