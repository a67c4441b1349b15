namespace TaskLens.Core.Briefs;

/// <summary>
/// A place the incident may have started: a <c>service</c>, a <c>dependency</c> (a service the incident's services call)
/// or a <c>goal</c>, with its score (higher is likelier) and the evidence behind it.
/// </summary>
public sealed record OriginCandidate(int Rank, string Kind, string Name, double Score, IReadOnlyList<OriginEvidence> Evidence);
