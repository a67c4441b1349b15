namespace TaskLens.Core.Telemetry;

/// <summary>
/// The store refused a batch for good — a type, parse or partition error in that batch, not an outage — so sending
/// the same batch again can never succeed. The spool drainer sets such a batch aside (dead letters) and keeps
/// draining; everything else a sink throws is retried.
/// </summary>
public sealed class StoreRejectedException : Exception
{
    public StoreRejectedException()
        : this("The store refused the batch.")
    {
    }

    public StoreRejectedException(string message)
        : base(message)
    {
    }

    public StoreRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
