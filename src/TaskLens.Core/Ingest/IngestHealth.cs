namespace TaskLens.Core.Ingest;

/// <param name="SpansPerSecond">Spans accepted per second over the last few seconds.</param>
/// <param name="SpansAccepted">Spans accepted since start.</param>
/// <param name="Refusals">Exports pushed back since start (in-flight limit, spool full, store unavailable).</param>
/// <param name="SpoolBytes">Bytes acknowledged but not yet in ClickHouse (0 with the spool off).</param>
/// <param name="DrainLag">How long the spool has been seen behind ClickHouse (zero when it is caught up).</param>
public sealed record IngestHealth(double SpansPerSecond, long SpansAccepted, long Refusals, long SpoolBytes, TimeSpan DrainLag)
{
    public static IngestHealth None { get; } = new(0, 0, 0, 0, TimeSpan.Zero);
}
