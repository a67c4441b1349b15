namespace TaskLens.Ingest.Spool;

/// <summary>The spool is at its size cap (ClickHouse has been away too long); the exporter must retry later.</summary>
public sealed class SpoolFullException : Exception
{
    public SpoolFullException()
        : this("The spool is full.")
    {
    }

    public SpoolFullException(string message)
        : base(message)
    {
    }

    public SpoolFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
