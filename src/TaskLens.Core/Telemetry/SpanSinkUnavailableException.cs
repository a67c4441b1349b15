namespace TaskLens.Core.Telemetry;

/// <summary>The span store cannot accept spans right now; the exporter should retry after <see cref="RetryAfter"/>.</summary>
public sealed class SpanSinkUnavailableException : Exception
{
    public SpanSinkUnavailableException()
        : this("The span store is unavailable.")
    {
    }

    public SpanSinkUnavailableException(string message)
        : this(message, TimeSpan.FromSeconds(1), null)
    {
    }

    public SpanSinkUnavailableException(string message, Exception innerException)
        : this(message, TimeSpan.FromSeconds(1), innerException)
    {
    }

    public SpanSinkUnavailableException(string message, TimeSpan retryAfter, Exception? innerException)
        : base(message, innerException)
    {
        RetryAfter = retryAfter;
    }

    public TimeSpan RetryAfter { get; }
}
