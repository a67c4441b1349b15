using MediatR;

namespace TaskLens.Core.Briefs;

/// <summary>
/// An incident's brief, as written last (computed now when none is held yet); null for an unknown incident. Handled by
/// TaskLens.Briefs; the dashboard, Slack and the API send it.
/// </summary>
public sealed record GetIncidentBrief(string Tenant, string Id) : IRequest<IncidentBrief?>;
