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
                    foreach (var spectral in new[] { true, false })
                    {
                        foreach (var history in new[] { 300, 600 })
                        {
                            yield return new CombinedDetector.Settings(Evidence: spike, LevelEvidence: level, SpikeFloor: 4, Memory: memory, Spectral: spectral, MinHistory: history);
                        }
                    }
                }
            }
        }
    }
}
