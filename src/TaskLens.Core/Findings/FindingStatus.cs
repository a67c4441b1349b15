namespace TaskLens.Core.Findings;

public enum FindingStatus
{
    /// <summary>Raised: goes on to incidents and people.</summary>
    Raised = 1,

    /// <summary>
    /// Recorded as context, not raised: for example a request-rate or throttling spike while the goals of the same
    /// tenant complete at their normal rate and duration — agents bursting, not trouble.
    /// </summary>
    Context = 2,

    /// <summary>
    /// The end of a raised finding (same fingerprint): its series was back within its normal range for a while, back
    /// within its configured limit, or no longer watched. Resolves the finding in the intake, and so its incident.
    /// </summary>
    Resolved = 3,
}
