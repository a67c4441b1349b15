namespace TaskLens.Ingest.Receivers;

/// <summary>Outcome of one export, whichever signal and transport carried it.</summary>
internal enum ExportOutcome
{
    Stored,
    Malformed,
    StoreUnavailable,
}
