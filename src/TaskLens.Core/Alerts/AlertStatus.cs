namespace TaskLens.Core.Alerts;

public enum AlertStatus
{
    /// <summary>Raised: goes on to incidents and people.</summary>
    Raised = 1,

    /// <summary>
    /// Recorded as context, not raised: for example a request-rate or throttling spike while the goals of the same
    /// tenant complete at their normal rate and duration — agents bursting, not trouble.
    /// </summary>
    Context = 2,
}
