namespace TaskLens.Briefs.Narrative;

/// <summary>What a stated claim is: an id, a time, a date or a figure.</summary>
internal enum ClaimKind
{
    Id = 1,
    Time = 2,
    Date = 3,
    Number = 4,
}
