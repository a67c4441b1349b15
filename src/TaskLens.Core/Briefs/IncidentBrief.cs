namespace TaskLens.Core.Briefs;

/// <summary>
/// An incident's brief: the facts (always), and the narrative a model wrote over them when one is configured and its
/// text passed validation. <see cref="Version"/> counts the briefs written for the incident; <see cref="Summary"/> is
/// the one paragraph to show where there is room for one (the narrative's when accepted, else the facts').
/// </summary>
public sealed record IncidentBrief
{
    public required BriefFacts Facts { get; init; }
    public required long Version { get; init; }
    public required string FactsHash { get; init; }
    public required DateTimeOffset GeneratedAt { get; init; }
    public required string Summary { get; init; }
    public required NarrativeState Narrative { get; init; }
}
