namespace TaskLens.Briefs.Facts;

/// <summary>One template the miner holds, with its count, first and last seen and up to three sample traces.</summary>
internal sealed record MinedTemplate(
    string Service, string Kind, string Template, long Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, IReadOnlyList<string> SampleTraceIds);
