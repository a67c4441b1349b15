using MediatR;
using TaskLens.Core.Alerts;

namespace TaskLens.Core.Incidents;

public enum TriageAction
{
    Acknowledge,
    Resolve,
    Reopen,
    Assign,
    Note,
    Severity,
    Merge,
    Split,
}

/// <summary>
/// One triage change to an incident, from any channel (REST now; the dashboard and Slack use the same request).
/// <see cref="ExpectedVersion"/> is the incident version the person saw: a triage change after it makes the request
/// stale (<see cref="TriageOutcome.Stale"/>, answered 409 with the current state), so concurrent edits are never lost.
/// </summary>
public sealed record TriageIncident(string Tenant, string IncidentId, TriageAction Action, long ExpectedVersion, string Actor) : IRequest<TriageResult>
{
    /// <summary>
    /// The most incidents one merge folds in. Each may need loading from storage while the one writer waits, which alert
    /// intake waits on too; a person merges a handful, so a longer list is refused before anything is read.
    /// </summary>
    public const int MaxMergeSources = 50;

    /// <summary>The note (<see cref="TriageAction.Note"/>), the assignee (<see cref="TriageAction.Assign"/>; empty unassigns) or a split-off incident's title.</summary>
    public string Text { get; init; } = "";
    public AlertSeverity? Severity { get; init; }

    /// <summary>For <see cref="TriageAction.Merge"/>: the incidents folded into this one, each with the version seen.</summary>
    public IReadOnlyList<(string Id, long Version)> MergeFrom { get; init; } = [];

    /// <summary>For <see cref="TriageAction.Split"/>: the alerts (<c>source:fingerprint</c>) that leave for a new incident.</summary>
    public IReadOnlyList<string> AlertIds { get; init; } = [];
}

public enum TriageOutcome
{
    Done,

    /// <summary>Nothing to change (e.g. acknowledging an acknowledged incident): no event, no new version.</summary>
    Unchanged,
    NotFound,
    Stale,

    /// <summary>Not possible in the incident's state or with these arguments; <see cref="TriageResult.Reason"/> says why.</summary>
    Refused,
}

/// <summary>What a triage request did: the incident as it is now, and for a split the incident it made.</summary>
public sealed record TriageResult(TriageOutcome Outcome, Incident? Incident, string Reason = "", Incident? Created = null);

internal sealed class TriageIncidentHandler(IncidentService incidents) : IRequestHandler<TriageIncident, TriageResult>
{
    public Task<TriageResult> Handle(TriageIncident request, CancellationToken cancellationToken) => incidents.TriageAsync(request, cancellationToken);
}
