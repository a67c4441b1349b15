using MediatR;

namespace TaskLens.Core.Briefs;

/// <summary>
/// Writes an incident's brief again now, narrative included, if the incident's budget allows: a person asked for it.
/// </summary>
public sealed record RegenerateIncidentBrief(string Tenant, string Id, string Actor) : IRequest<RegenerateResult>;
