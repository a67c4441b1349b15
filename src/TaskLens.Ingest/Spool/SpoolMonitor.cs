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

    /// <summary>
    /// Puts a dead letter's export back into the spool, so the drainer tries it again (after the schema or the check that
    /// refused it was fixed), and deletes the dead letter. Null when done, else why not: it cannot be read back, or the
    /// spool cannot take it now (<see cref="SpoolFullException"/> is thrown for that, to be answered 503). The spool's
    /// refusal rule is the receivers' (<see cref="DiskSpool.RefusalFor"/>, asked before the record is read, then the
    /// append's own check); a dead letter kept without its tenant (unreadable) is judged by the append alone.
    /// </summary>
    public async Task<string?> ReplayAsync(string id)
    {
        if (DeadLetters.Find(id) is { Tenant.Length: > 0 } letter && _spool.RefusalFor(letter.Tenant, letter.Bytes) is { } refusal)
        {
            throw new SpoolFullException(refusal);
        }

        var read = SpoolSegmentReader.Read(DeadLetters.RecordPath(id), 0, long.MaxValue, 1);
        if (read.Records.Count == 0)
        {
            return "The dead letter's record cannot be read by this version of TaskLens.";
        }

        try
        {
            await _spool.AppendAsync(read.Records[0].Record);
        }
        finally
        {
            read.ReturnBuffers();
        }

        DeadLetters.Remove(id);
        return null;
    }

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
