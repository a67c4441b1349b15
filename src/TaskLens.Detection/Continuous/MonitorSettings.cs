namespace TaskLens.Detection.Continuous;

/// <param name="Step">Bucket width of every series (whole minutes).</param>
/// <param name="ForgetAfter">A goal or service with no data for this long stops being watched (its detectors are dropped).</param>
/// <param name="ContextSteps">
/// A service spike is context, not raised, when no goal of its tenant was in trouble within this many steps and some
/// goal of the tenant completed runs in the step.
/// </param>
/// <param name="Limits">Configured per-goal limits (<see cref="GoalLimit"/>).</param>
/// <param name="MaxSeries">
/// Series watched at most (each holds its detectors' windows, about 117 KB at one-minute steps); past it new series
/// are not watched until others are forgotten.
/// </param>
/// <param name="MaxSeriesPerTenant">
/// Series one tenant may have watched, so one tenant's many goals and services cannot take every place from the others.
/// </param>
/// <param name="RecoverAfterSteps">A raised finding is resolved once no detector of its series has found anything for this many steps.</param>
public sealed record MonitorSettings(
    TimeSpan Step, TimeSpan ForgetAfter, int ContextSteps, IReadOnlyList<GoalLimit> Limits, int MaxSeries = 5_000, int RecoverAfterSteps = 15,
    int MaxSeriesPerTenant = 2_000)
{
    public static MonitorSettings Default { get; } = new(TimeSpan.FromMinutes(1), TimeSpan.FromDays(1), 5, []);
}
