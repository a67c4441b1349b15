namespace TaskLens.Ingest.Otlp;

/// <summary>Outcome of inflating a gzip body with a size cap.</summary>
public enum GzipStatus
{
    Ok,
    TooLarge,
    Invalid,
}
