namespace TaskLens.Core.Briefs;

/// <summary>
/// An incident's current brief as the state store keeps it for every node: the brief (facts, narrative, version, facts
/// hash), the material signature its narrative was written for, the model requests of the last hour (the incident's
/// budget), when a person last asked for it again, and — while one node has the model write the narrative — until when
/// that node holds the right to (<see cref="NarratingUntil"/>). <see cref="Revision"/> counts the row's writes: every
/// write is a compare-and-set on it (<see cref="IBriefStore.TryWriteAsync"/>).
/// </summary>
public sealed record StoredBrief
{
    public required string Tenant { get; init; }
    public required string IncidentId { get; init; }
    public required long Revision { get; init; }
    public required IncidentBrief Brief { get; init; }

    /// <summary>The material signature the narrative was written (or is being written) for; null when it is still owed.</summary>
    public string? NarratedFor { get; init; }

    /// <summary>When each model request counted against the incident's hourly budget was made (the last hour's only).</summary>
    public IReadOnlyList<DateTimeOffset> ModelCalls { get; init; } = [];

    public DateTimeOffset? RegeneratedAt { get; init; }

    /// <summary>
    /// Set while a node has the model write the narrative of <see cref="NarratedFor"/>: no other node asks the model for
    /// the same change until then. Past it (the node stopped mid-way), the narrative is owed again.
    /// </summary>
    public DateTimeOffset? NarratingUntil { get; init; }
}
