namespace TaskLens.Ingest;

/// <summary>Every ingest limit, bound from <c>TaskLens:Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "TaskLens:Ingest";

    /// <summary>
    /// The largest export accepted, counted after decompression so a small gzip body cannot inflate past it.
    /// Larger requests get HTTP 413 or gRPC RESOURCE_EXHAUSTED. 64 MiB matches the OTLP exporters' own ceilings.
    /// </summary>
    public int MaxRequestBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Seconds an HTTP client is told to wait (Retry-After) when the store cannot take an export.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxRequestBytes is < 1024 or > 1024 * 1024 * 1024)
        {
            errors.Add($"MaxRequestBytes {MaxRequestBytes} must be between 1 KiB and 1 GiB.");
        }

        if (RetryAfterSeconds is < 1 or > 3600)
        {
            errors.Add($"RetryAfterSeconds {RetryAfterSeconds} must be between 1 and 3600.");
        }

        return errors;
    }
}
