using TaskLens.Core.Incidents;

namespace TaskLens.Benchmarks.Incidents;

/// <summary>The correlator settings tried on the choosing part of the storms (and only there).</summary>
internal static class GroupingGrid
{
    public static IEnumerable<AlertCorrelator.Settings> Candidates()
    {
        foreach (var join in new[] { 0.5, 0.6, 0.7 })
        {
            foreach (var link in new[] { 0.3, 0.45, 0.6 })
            {
                foreach (var text in new[] { 0.3, 0.5 })
                {
                    foreach (var window in new[] { 10, 15, 30 })
                    {
                        foreach (var firing in new[] { 15, 60 })
                        {
                            foreach (var (depend, hops) in new[] { (0.75, 2), (0.75, 1), (0.6, 2) })
                            {
                                yield return new AlertCorrelator.Settings(
                                    TimeSpan.FromMinutes(window), JoinThreshold: join, LinkWeight: link, TextWeight: text, FiringWindow: TimeSpan.FromMinutes(Math.Max(window, firing)),
                                    DependWeight: depend, Hops: hops);
                            }
                        }
                    }
                }
            }
        }
    }
}
