using TaskLens.Detection;

namespace TaskLens.Benchmarks.Detection;

/// <summary>The settings of the combined detector tried on the choosing part of NAB (and only there).</summary>
internal static class NabGrid
{
    public static IEnumerable<CombinedDetector.Settings> Candidates()
    {
        foreach (var spike in new[] { 4.0, 5.0, 6.0, 7.0, 8.0 })
        {
            foreach (var level in new[] { 3.0, 4.0, 5.0, 6.0, 7.0 })
            {
                foreach (var memory in new[] { 4000, 16000 })
                {
                    foreach (var history in new[] { 300, 600 })
                    {
                        foreach (var (driftPoints, driftEvidence) in Drifts())
                        {
                            yield return new CombinedDetector.Settings(
                                Evidence: spike, LevelEvidence: level, SpikeFloor: 4, Memory: memory, Spectral: false, MinHistory: history, DriftPoints: driftPoints, DriftEvidence: driftEvidence);
                        }
                    }
                }
            }
        }
    }

    /// <summary>No drift score, or one over 48, 144 or 288 points (4, 12 or 24 hours at NAB's usual 5-minute steps) from evidence 4–7.</summary>
    private static IEnumerable<(int Points, double Evidence)> Drifts()
    {
        yield return (0, new CombinedDetector.Settings().DriftEvidence);
        foreach (var points in new[] { 48, 144, 288 })
        {
            foreach (var evidence in new[] { 4.0, 5.0, 6.0, 7.0 })
            {
                yield return (points, evidence);
            }
        }
    }
}
