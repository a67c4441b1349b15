namespace TaskLens.Core.Incidents;

/// <summary>
/// One entry of an incident's timeline (append-only). <see cref="Version"/> is the incident's version this entry made.
/// <see cref="Actor"/> is the person or <c>tasklens</c> (correlation, auto-resolve); <see cref="Text"/> is the note,
/// the assignee, the severity or the reason an alert joined, in words.
/// </summary>
public sealed record IncidentEvent
{
    public required string Tenant { get; init; }
    public required string IncidentId { get; init; }
    public required long Version { get; init; }
    public required IncidentEventKind Kind { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string Actor { get; init; }
    public string Text { get; init; } = "";

    /// <summary>The alert it is about (<c>source:fingerprint</c>), if any.</summary>
    public string AlertId { get; init; } = "";
    public string OtherIncident { get; init; } = "";

    /// <summary>For a joining alert, the relatedness that decided it (0 for the first alert).</summary>
    public double Score { get; init; }
}
