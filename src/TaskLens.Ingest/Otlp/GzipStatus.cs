namespace TaskLens.Ingest.Otlp;

/// <summary>Outcome of inflating a gzip body with a size cap.</summary>
public enum GzipStatus
{
    Ok,
    TooLarge,
    Invalid,

    /// <summary>The memory budget of the request refused the next output buffer (push back, retry later).</summary>
    OverBudget,
}
