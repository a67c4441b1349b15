namespace TaskLens.Core.Briefs;

/// <summary>
/// One reason a candidate may be the origin: <c>earliest-signal</c>, <c>upstream</c> (others depend on it in the call
/// graph), <c>new-error-template</c>, <c>version-change</c>, <c>cost-burn</c>, <c>load-surge</c>, <c>load-on-dependency</c>, <c>isolated</c> (against it) or <c>alerts</c>; in words, with when
/// and the ids it came from.
/// </summary>
public sealed record OriginEvidence(string Kind, string Text, DateTimeOffset? At, IReadOnlyList<string> Sources);
