using TaskLens.Core.Alerts;

namespace TaskLens.Core.Incidents;

/// <summary>
/// The current state of one incident. <see cref="Version"/> is the number of events in its timeline; a triage command
/// names the version it saw and is refused (409) when a triage change came after it (<see cref="TriageVersion"/>).
/// Alerts joining or resolving move <see cref="Version"/> but never make a person's command stale.
/// </summary>
public sealed record Incident
{
    public required string Tenant { get; init; }
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required IncidentStatus Status { get; init; }
    public required AlertSeverity Severity { get; init; }

    /// <summary>True once a person set the severity: alerts no longer raise it.</summary>
    public bool SeveritySetByPerson { get; init; }
    public string Assignee { get; init; } = "";
    public IReadOnlyList<string> Goals { get; init; } = [];
    public IReadOnlyList<string> Services { get; init; } = [];

    /// <summary>Alerts that belong to it now, and how many of those still fire (not resolved at their source).</summary>
    public int Alerts { get; init; }
    public int FiringAlerts { get; init; }
    public required DateTimeOffset OpenedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>Who or what resolved it: a person's name, or <c>auto</c> when its last alert resolved.</summary>
    public string ResolvedBy { get; init; } = "";
    public string MergedInto { get; init; } = "";
    public required long Version { get; init; }
    public long TriageVersion { get; init; }

    public bool IsOpen => Status is IncidentStatus.Triggered or IncidentStatus.Acknowledged;
}
