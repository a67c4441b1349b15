namespace TaskLens.Detection.Continuous;

/// <param name="Step">Bucket width of every series (whole minutes).</param>
/// <param name="ForgetAfter">A goal or service with no data for this long stops being watched (its detectors are dropped).</param>
/// <param name="ContextSteps">
/// A service spike is context, not raised, when no goal of its tenant was in trouble within this many steps and some
/// goal of the tenant completed runs in the step.
/// </param>
/// <param name="Limits">Configured per-goal limits (<see cref="GoalLimit"/>).</param>
public sealed record MonitorSettings(TimeSpan Step, TimeSpan ForgetAfter, int ContextSteps, IReadOnlyList<GoalLimit> Limits)
{
    public static MonitorSettings Default { get; } = new(TimeSpan.FromMinutes(1), TimeSpan.FromDays(1), 5, []);
}
