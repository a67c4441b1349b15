namespace TaskLens.Core.Telemetry;

/// <summary>
/// Keys of the keyed span sink registrations. Storage registers two sinks that store spans:
/// <see cref="Stored"/>, an <see cref="ISpanSink"/>, groups the batches of concurrent exports into one insert (for
/// exports acknowledged only once stored); <see cref="StoredDirect"/>, an <see cref="ISpanRowSink"/>, makes one insert
/// per run of rows, at once and concurrently (the spool drainer, which decodes straight into rows). The plain
/// <see cref="ISpanSink"/> and the <see cref="Direct"/> <see cref="ISpanRowSink"/> are what callers use: the same two,
/// decorated by whatever must see every stored span (the goal rollup takes each by its key).
/// </summary>
public static class SpanSinkKeys
{
    public const string Stored = "stored";
    public const string StoredDirect = "stored-direct";
    public const string Direct = "direct";
}
