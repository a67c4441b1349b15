namespace TaskLens.Ingest.Spool;

/// <summary>How the drainer's insert of a run ended: stored, refused for good by the store, or cut short by shutdown.</summary>
internal enum WriteOutcome
{
    Stored,
    Rejected,
    Stopping,
}
