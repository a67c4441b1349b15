namespace TaskLens.Core.Goals;

/// <summary>
/// Sub-tasks of a run collapsed by operation: every span with this name under any span of the parent group.
/// Group 0 is the goal span itself; a span whose parent never arrived heads a group with no parent.
/// </summary>
public sealed record SubTaskGroup
{
    public required int Id { get; init; }
    public int? ParentId { get; init; }
    public required string Operation { get; init; }
    public required string Service { get; init; }
    public int Depth { get; init; }
    public int Count { get; init; }
    public int Errors { get; init; }
    public double DurationP50Ms { get; init; }
    public double DurationP95Ms { get; init; }
    public double DurationMaxMs { get; init; }
    public ulong FirstStartUnixNano { get; init; }
    public ulong LastEndUnixNano { get; init; }
}
