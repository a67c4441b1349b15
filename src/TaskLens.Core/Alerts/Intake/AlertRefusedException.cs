namespace TaskLens.Core.Alerts.Intake;

/// <summary>
/// Alert events the intake will not take, with the HTTP status to answer: 400 for an event past a size bound, 429 when
/// the tenant's dedup book is full of firing alerts. Nothing of the request was kept.
/// </summary>
public sealed class AlertRefusedException : Exception
{
    public AlertRefusedException()
        : this(400, "Alert refused")
    {
    }

    public AlertRefusedException(string message)
        : this(400, message)
    {
    }

    public AlertRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 400;
    }

    public AlertRefusedException(int status, string message)
        : base(message)
    {
        Status = status;
    }

    public int Status { get; }
}
