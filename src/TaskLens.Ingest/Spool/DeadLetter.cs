namespace TaskLens.Ingest.Spool;

/// <summary>
/// An acknowledged export the drainer could not store and set aside: <see cref="Kind"/> is <c>rejected</c> (ClickHouse
/// refused it for good, <see cref="Error"/> says why) or <c>undecodable</c> (its spool record or payload could not be
/// read). The export itself is kept beside this description as a one-record segment file.
/// </summary>
public sealed record DeadLetter(
    string Id,
    DateTimeOffset At,
    string Kind,
    string Signal,
    string Tenant,
    string Service,
    int Bytes,
    string Error);
