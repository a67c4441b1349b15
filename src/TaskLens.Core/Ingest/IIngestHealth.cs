namespace TaskLens.Core.Ingest;

/// <summary>How ingest is doing now, for the dashboard's overview; implemented by the ingest adapter.</summary>
public interface IIngestHealth
{
    IngestHealth Current();
}
