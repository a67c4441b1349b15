using TaskLens.Core.Briefs;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;
using TaskLens.Core.Traces;

namespace TaskLens.Briefs.Facts;

/// <summary>
/// Everything a facts brief is computed from, read once: the incident with its alerts and timeline, and the telemetry of
/// [<see cref="BaselineFrom"/>, <see cref="Until"/>) — an hour before the onset, to know what is normal and what is new.
/// Building facts from this is a pure function, so golden tests and the evaluation run it without storage.
/// </summary>
internal sealed record IncidentEvidence
{
    public required IncidentDetail Detail { get; init; }

    /// <summary>When the first of its alerts started (or the incident opened, if earlier).</summary>
    public required DateTimeOffset Onset { get; init; }
    public required DateTimeOffset BaselineFrom { get; init; }
    public required DateTimeOffset Until { get; init; }

    /// <summary>Per goal of the incident, its figures per step over the whole window.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<GoalFigures>> GoalSeries { get; init; } = new Dictionary<string, IReadOnlyList<GoalFigures>>();

    /// <summary>Per candidate service, its spans, errors and latency per minute over the whole window.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<OperationFigures>> ServiceSeries { get; init; } = new Dictionary<string, IReadOnlyList<OperationFigures>>();
    public IReadOnlyList<ErrorMessageGroup> Errors { get; init; } = [];
    public IReadOnlyList<ServiceVersionSeen> Versions { get; init; } = [];

    /// <summary>The tenant's service calls seen in spans (caller → callee), names in lower case.</summary>
    public IReadOnlyList<ServiceLink> Links { get; init; } = [];

    /// <summary>Per goal of the incident, the services its runs start in (lower case): part of the incident as its named services are.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> GoalServices { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
}
