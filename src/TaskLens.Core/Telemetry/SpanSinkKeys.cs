namespace TaskLens.Core.Telemetry;

/// <summary>
/// Keys of the keyed <see cref="ISpanSink"/> registrations. Storage registers two sinks that store spans:
/// <see cref="Stored"/> groups the batches of concurrent exports into one insert (for exports acknowledged only once
/// stored), <see cref="StoredDirect"/> makes one insert per call, at once and concurrently (for a caller that batches
/// by itself: the spool drainer). The plain <see cref="ISpanSink"/> and <see cref="Direct"/> are what callers use: the
/// same two, decorated by whatever must see every stored batch (the goal rollup takes each by its key).
/// </summary>
public static class SpanSinkKeys
{
    public const string Stored = "stored";
    public const string StoredDirect = "stored-direct";
    public const string Direct = "direct";
}
