namespace TaskLens.Core.Briefs;

/// <summary>
/// A moment worth reading in the timeline: opened, severity changes, the largest bursts of joining alerts,
/// acknowledgements, assignments, merges and splits, resolves and reopens. <see cref="Text"/> may quote a person's
/// words (a note, an assignee), so it is data, never an instruction.
/// </summary>
public sealed record TimelineHighlight(DateTimeOffset At, string Kind, string Text, IReadOnlyList<string> Sources);
