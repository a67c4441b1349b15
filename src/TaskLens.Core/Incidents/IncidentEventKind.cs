namespace TaskLens.Core.Incidents;

/// <summary>What one timeline entry records. Values are stored: never renumber.</summary>
public enum IncidentEventKind
{
    Opened = 1,
    AlertJoined = 2,
    AlertResolved = 3,
    AlertRefired = 4,
    Acknowledged = 5,
    Resolved = 6,
    Reopened = 7,
    Assigned = 8,
    Noted = 9,
    SeverityChanged = 10,

    /// <summary>On the incident merged away: it went into <see cref="IncidentEvent.OtherIncident"/>.</summary>
    MergedInto = 11,

    /// <summary>On the surviving incident: <see cref="IncidentEvent.OtherIncident"/> and its alerts came in.</summary>
    MergedFrom = 12,

    /// <summary>On the incident split: an alert left for <see cref="IncidentEvent.OtherIncident"/>.</summary>
    AlertSplitOff = 13,

    /// <summary>On the incident made by a split: it came from <see cref="IncidentEvent.OtherIncident"/>.</summary>
    SplitFrom = 14,

    /// <summary>An alert still firing changed severity at its source.</summary>
    AlertUpdated = 15,

    /// <summary>A brief was written (its version and what the narrative came to, in <see cref="IncidentEvent.Text"/>).</summary>
    BriefWritten = 16,
}

/// <summary>Which kinds are triage changes (status, owner, severity, notes, shape) that make older versions stale.</summary>
public static class IncidentEventKinds
{
    public static bool IsTriage(IncidentEventKind kind) => kind is not (IncidentEventKind.AlertJoined or IncidentEventKind.AlertResolved or IncidentEventKind.AlertRefired or IncidentEventKind.AlertUpdated
        or IncidentEventKind.BriefWritten);
}
