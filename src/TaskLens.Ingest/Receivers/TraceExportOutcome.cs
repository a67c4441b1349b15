namespace TaskLens.Ingest.Receivers;

/// <summary>Outcome of one trace export, whichever transport carried it.</summary>
internal enum TraceExportOutcome
{
    Stored,
    Malformed,
    StoreUnavailable,
}
