namespace TaskLens.Core.Briefs;

/// <summary>A <c>service.version</c> a service ran with, when its spans were first and last seen, and how many.</summary>
public sealed record ServiceVersionSeen(string Service, string Version, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long Spans);
