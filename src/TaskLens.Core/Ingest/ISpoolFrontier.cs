namespace TaskLens.Core.Ingest;

/// <summary>
/// How far ingest's spool has been stored: exports acknowledged into the spool are stored in ClickHouse (and handed to
/// the goal rollup) by the drainer, oldest first, so everything acknowledged before some time is stored. Goal runs and
/// detection wait for it: while ClickHouse is away or the drain lags, the spans of the last minutes sit in the spool,
/// seen by nothing (docs/detection.md, "When"). Registered only with the spool on; without it an export is stored before
/// it is acknowledged.
/// </summary>
public interface ISpoolFrontier
{
    /// <summary>
    /// A time before which every export this node acknowledged is stored — <paramref name="now"/> when nothing waits —
    /// or null while exports acknowledged before this process started still wait (their times are not known).
    /// Conservative: it may lag the truth by the time between two calls.
    /// </summary>
    DateTimeOffset? StoredBefore(DateTimeOffset now);
}
