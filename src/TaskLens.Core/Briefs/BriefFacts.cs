using TaskLens.Core.Alerts;
using TaskLens.Core.Incidents;

namespace TaskLens.Core.Briefs;

/// <summary>
/// The deterministic part of an incident brief, computed in the process from stored evidence: what is broken, for whom,
/// since when, where it likely started and where to look. Every fact names the ids it came from in <c>Sources</c>:
/// <c>alert:source:fingerprint</c>, <c>trace:hex</c>, <c>run:hex</c>, <c>series:goal/NAME/METRIC</c>,
/// <c>series:service/NAME/METRIC</c>, <c>template:TN</c>, <c>timeline:vN</c>, <c>version:SERVICE@VERSION</c>.
/// </summary>
public sealed record BriefFacts
{
    public required string IncidentId { get; init; }
    public required string Tenant { get; init; }

    /// <summary>The incident version the facts were computed at.</summary>
    public required long IncidentVersion { get; init; }

    /// <summary>In the user's terms: which goal or service is hurt and how.</summary>
    public required string Title { get; init; }
    public required AlertSeverity Severity { get; init; }
    public required IncidentStatus Status { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
    public required TimeSpan Duration { get; init; }
    public int Alerts { get; init; }
    public int FiringAlerts { get; init; }
    public IReadOnlyList<GoalImpact> Goals { get; init; } = [];
    public IReadOnlyList<string> Services { get; init; } = [];
    public IReadOnlyList<string> Tenants { get; init; } = [];
    public IReadOnlyList<TimelineHighlight> Timeline { get; init; } = [];
    public IReadOnlyList<ErrorTemplate> ErrorTemplates { get; init; } = [];
    public IReadOnlyList<OriginCandidate> Origins { get; init; } = [];
    public IReadOnlyList<NextStep> NextSteps { get; init; } = [];
    public IReadOnlyList<BriefSample> Samples { get; init; } = [];

    /// <summary>The incident's alerts (<c>alert:…</c>), the sources of the title and severity.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>One paragraph in plain words, built from the facts above (what Slack and lists show).</summary>
    public required string Summary { get; init; }
}
