namespace TaskLens.Core.Incidents;

public enum IncidentStatus
{
    Triggered = 1,
    Acknowledged = 2,
    Resolved = 3,

    /// <summary>Folded into another incident (<see cref="Incident.MergedInto"/>); its alerts and timeline moved there.</summary>
    Merged = 4,
}
