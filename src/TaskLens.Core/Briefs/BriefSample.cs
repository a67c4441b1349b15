namespace TaskLens.Core.Briefs;

/// <summary>A trace or goal run that shows the trouble, with its API link.</summary>
public sealed record BriefSample(string Kind, string Id, string Service, string Goal, DateTimeOffset At, string Link);
