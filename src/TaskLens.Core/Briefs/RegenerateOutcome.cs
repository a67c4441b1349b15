namespace TaskLens.Core.Briefs;

/// <summary>What became of a <see cref="RegenerateIncidentBrief"/>.</summary>
public enum RegenerateOutcome
{
    Done = 1,
    NotFound = 2,

    /// <summary>Asked again too soon, or the incident's hourly budget of model calls is spent: retry after <see cref="RegenerateResult.RetryAfter"/>.</summary>
    RateLimited = 3,
}
