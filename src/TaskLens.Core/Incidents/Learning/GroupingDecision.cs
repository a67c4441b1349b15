namespace TaskLens.Core.Incidents.Learning;

/// <summary>
/// One thing people decided in triage about two kinds of alert (<see cref="AlertKind"/>): they belong together (a
/// merge) or apart (a split), with the pair's features when it was decided (<see cref="PairFeatures"/>).
/// </summary>
public sealed record GroupingDecision(string Tenant, DateTimeOffset At, string Actor, string KindA, string KindB, bool Together, IReadOnlyList<float> Features)
{
    /// <summary>The pair in a stable order, so (a, b) and (b, a) are one pair.</summary>
    public (string, string) Pair => AlertKind.Pair(KindA, KindB);
}
