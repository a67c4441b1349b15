namespace TaskLens.Core.Briefs;

/// <summary>The brief written (when <see cref="RegenerateOutcome.Done"/>), or how long to wait and why.</summary>
public sealed record RegenerateResult(RegenerateOutcome Outcome, IncidentBrief? Brief, TimeSpan RetryAfter, string Reason);
