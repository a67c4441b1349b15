namespace TaskLens.Detection.Continuous;

/// <summary>
/// The detector the monitor watches a series with — one place, so the NAB benchmark runs exactly what production runs:
/// the combined detector with its default settings, ended by <see cref="CombinedDetector.TryRecover"/> after
/// <see cref="MonitorSettings.RecoverAfterSteps"/> calm steps, and for intermittent sums the recent-range guard.
/// </summary>
public static class SeriesDetectors
{
    /// <summary>Points of the recent range an intermittent sum must leave to be raised (a day of one-minute steps).</summary>
    public const int IntermittentRange = 1440;

    /// <summary>The de-duplication the monitor applies to each series' anomalies (<see cref="EpisodeFold"/>), over the detector's longest hold-off.</summary>
    public static EpisodeFold Episodes(CombinedDetector.Settings? settings = null) => new((settings ?? new CombinedDetector.Settings()).HoldOff);

    public static CombinedDetector For(SeriesKind kind, bool intermittent, CombinedDetector.Settings? settings = null) =>
        new(kind, (settings ?? new CombinedDetector.Settings()) with { RecentRange = intermittent ? IntermittentRange : 0 });
}
