namespace TaskLens.Briefs.Facts;

/// <summary>
/// How much each kind of evidence weighs in a candidate's origin score, and how fast the earliest-signal credit fades
/// with lag behind the first signal. <see cref="Isolated"/> is taken from a service the call graph links to no other
/// affected service: its trouble cannot have travelled to them. The defaults were chosen on the tuning part of the evaluation scenarios
/// (<c>./build.sh bench</c>, docs/briefs.md) and are reported on the rest.
/// </summary>
internal sealed record OriginWeights(
    double Earliest, double Upstream, double NewTemplate, double VersionChange, double CostBurn, double LoadSurge, double Alerts, double Isolated, TimeSpan EarlyFade)
{
    public static OriginWeights Default { get; } = new(0.5, 1.0, 1.0, 1.0, 1.5, 0.5, 0.3, 1.5, TimeSpan.FromMinutes(4));
}
