namespace TaskLens.Core.Telemetry;

/// <summary>
/// Keys of the keyed span sink registrations. Storage registers two <see cref="ISpanRowSink"/>s that store spans:
/// <see cref="Stored"/> groups the runs of concurrent exports into one insert (for
/// exports acknowledged only once stored, the spool off); <see cref="StoredDirect"/> makes one insert
/// per run of rows, at once and concurrently (the spool drainer, which decodes straight into rows). The plain
/// <see cref="ISpanRowSink"/> and the <see cref="Direct"/> one are what callers use: the same two,
/// decorated by whatever must see every stored span (the goal rollup takes each by its key).
/// </summary>
public static class SpanSinkKeys
{
    public const string Stored = "stored";
    public const string StoredDirect = "stored-direct";
    public const string Direct = "direct";
}
