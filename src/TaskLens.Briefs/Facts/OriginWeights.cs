namespace TaskLens.Briefs.Facts;

/// <summary>
/// How much each kind of evidence weighs in a candidate's origin score, and how fast the earliest-signal credit fades
/// with lag behind the first signal. The defaults were chosen on the tuning part of the evaluation scenarios
/// (<c>./build.sh bench</c>, docs/briefs.md) and are reported on the rest.
/// </summary>
internal sealed record OriginWeights(double Earliest, double Upstream, double NewTemplate, double VersionChange, double CostBurn, double Alerts, TimeSpan EarlyFade)
{
    public static OriginWeights Default { get; } = new(1.0, 1.0, 1.0, 1.5, 1.5, 0.3, TimeSpan.FromMinutes(3));
}
