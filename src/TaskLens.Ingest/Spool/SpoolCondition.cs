namespace TaskLens.Ingest.Spool;

/// <summary>
/// The spool as an operator sees it: bytes waiting for ClickHouse and on disk; whether the disk refuses writes (since
/// when, how many exports were pushed back meanwhile, the last error); what the drainer cannot do (write its
/// checkpoint, delete a segment); and the dead letters kept.
/// </summary>
public sealed record SpoolCondition(
    long PendingBytes,
    long DiskBytes,
    DateTimeOffset? WritesRefusedSince,
    long RefusedExports,
    string? WriteError,
    IReadOnlyList<string> DrainerFaults,
    int DeadLetters,
    long DeadLetterBytes)
{
    /// <summary>True while exports are accepted and the drainer has no fault.</summary>
    public bool Healthy => WritesRefusedSince is null && DrainerFaults.Count == 0;
}
