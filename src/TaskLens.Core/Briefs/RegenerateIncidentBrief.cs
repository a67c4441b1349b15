using MediatR;

namespace TaskLens.Core.Briefs;

/// <summary>
/// Writes an incident's brief again now, narrative included, if the incident's budget allows: a person asked for it.
/// </summary>
public sealed record RegenerateIncidentBrief(string Tenant, string Id, string Actor) : IRequest<RegenerateResult>;

public enum RegenerateOutcome
{
    Done = 1,
    NotFound = 2,

    /// <summary>Asked again too soon, or the incident's hourly budget of model calls is spent: retry after <see cref="RegenerateResult.RetryAfter"/>.</summary>
    RateLimited = 3,
}

public sealed record RegenerateResult(RegenerateOutcome Outcome, IncidentBrief? Brief, TimeSpan RetryAfter, string Reason);
