namespace TaskLens.Core.Briefs;

/// <summary>Where to look next: a runbook (from an alert's <c>runbook_url</c> or configuration), a trace or a run.</summary>
public sealed record NextStep(string Kind, string Text, string Url, IReadOnlyList<string> Sources);
