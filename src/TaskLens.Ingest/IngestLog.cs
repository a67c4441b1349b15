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

    [LoggerMessage(2042, LogLevel.Warning, "The standard gRPC server has {MaxBytesInFlight} bytes in flight, less than four times MaxRequestBytes {MaxRequestBytes}: a gzip message near that size may be refused with RESOURCE_EXHAUSTED. Raise TaskLens:Ingest:MaxBytesInFlight, or choose TaskLens:Ingest:GrpcServer=Framing.")]
    public static partial void StandardGrpcBudgetTight(ILogger logger, long maxBytesInFlight, int maxRequestBytes);

    [LoggerMessage(2004, LogLevel.Warning, "Ingest open mode: exports without a key are stored under the tenant '{Tenant}'. Listeners are on loopback only.")]
    public static partial void OpenMode(ILogger logger, string tenant);

    [LoggerMessage(2010, LogLevel.Information, "Spool: found {Segments} segments ({Bytes} bytes) from an earlier run in {Directory}; replaying them into ClickHouse")]
    public static partial void SpoolFound(ILogger logger, int segments, long bytes, string directory);

    [LoggerMessage(2011, LogLevel.Error, "Spool: the disk refuses writes in {Directory} (full, read-only or out of file handles?); {Exports} exports and every later one are refused with 503 / UNAVAILABLE and a retry hint until a write succeeds again")]
    public static partial void SpoolWriteFailed(ILogger logger, int exports, string directory, Exception exception);

    [LoggerMessage(2012, LogLevel.Error, "Spool: skipped {Bytes} unreadable bytes (torn or damaged records) in {Segment}")]
    public static partial void SpoolCorruption(ILogger logger, long bytes, string segment);

    [LoggerMessage(2013, LogLevel.Warning, "Spool: ClickHouse did not take spooled records ({SpoolBytes} bytes waiting); retrying with backoff, exports are still accepted up to the cap")]
    public static partial void SpoolDrainFailed(ILogger logger, long spoolBytes, Exception exception);

    [LoggerMessage(2014, LogLevel.Information, "Spool: ClickHouse takes records again after {FailedAttempts} failed attempts")]
    public static partial void SpoolDrainResumed(ILogger logger, int failedAttempts);

    [LoggerMessage(2015, LogLevel.Warning, "OTLP {Transport} export refused: {Reason} ({Refused} exports refused by the spool since the last such line; at most one every {Interval})")]
    public static partial void SpoolFull(ILogger logger, string transport, string reason, long refused, TimeSpan interval);

    [LoggerMessage(2016, LogLevel.Warning, "Spool: the disk takes writes again after {RefusedExports} refused exports over {Duration}")]
    public static partial void SpoolWritesAgain(ILogger logger, long refusedExports, TimeSpan duration);

    [LoggerMessage(2017, LogLevel.Warning, "Spool: could not cut the refused tail of {Segment}; the reader will skip it")]
    public static partial void SpoolCutFailed(ILogger logger, string segment, Exception exception);

    [LoggerMessage(2018, LogLevel.Error, "Spool: the drainer could not {Action} ({Error}); retrying, acknowledged records stay in the spool")]
    public static partial void SpoolDrainerFault(ILogger logger, string action, string error, Exception exception);

    [LoggerMessage(2019, LogLevel.Information, "Spool: the drainer can {Action} again")]
    public static partial void SpoolDrainerRecovered(ILogger logger, string action);

    [LoggerMessage(2020, LogLevel.Error, "Spool: an export ({Kind}, signal '{Signal}', tenant '{Tenant}', {Bytes} bytes) was moved to the dead letters as {Id}; GET /api/ingest/dead-letters shows why")]
    public static partial void DeadLettered(ILogger logger, string kind, string signal, string tenant, int bytes, string id);

    [LoggerMessage(2021, LogLevel.Error, "Spool: dead letters passed their cap of {MaxBytes} bytes; the oldest {Count} were deleted")]
    public static partial void DeadLettersTrimmed(ILogger logger, long maxBytes, int count);

    [LoggerMessage(2022, LogLevel.Debug, "OTLP {Transport} export refused before its body was read: {Reason}")]
    public static partial void AdmissionRefused(ILogger logger, string transport, string reason);

    [LoggerMessage(2041, LogLevel.Warning, "Spool: the next segment could not be preallocated in {Directory} ({Error}); segments grow with their appends until it can")]
    public static partial void SpoolPreallocateFailed(ILogger logger, string directory, string error);
}
