namespace TaskLens.Ingest.Spool;

/// <summary>Reads the spool's condition and dead letters for the REST API (the spool's own types stay internal).</summary>
public sealed class SpoolMonitor
{
    private readonly DiskSpool _spool;
    private readonly SpoolDrainer _drainer;

    internal SpoolMonitor(DiskSpool spool, SpoolDrainer drainer, SpoolDeadLetters deadLetters)
    {
        _spool = spool;
        _drainer = drainer;
        DeadLetters = deadLetters;
    }

    public SpoolDeadLetters DeadLetters { get; }

    public SpoolCondition Condition()
    {
        var failure = _spool.WriteFailure;
        var (count, bytes) = DeadLetters.Totals();
        return new SpoolCondition(
            _spool.PendingBytes,
            _spool.TotalBytes,
            failure?.Since,
            failure?.RefusedExports ?? 0,
            failure?.Error,
            _drainer.Faults,
            count,
            bytes);
    }
}
