namespace TaskLens.Core;

/// <summary>
/// The name of Core's meter. Each concept keeps its own instruments beside its code (<c>GoalMetrics</c>,
/// <c>IncidentMetrics</c>); <see cref="System.Diagnostics.Metrics.IMeterFactory"/> hands them one shared meter by this name.
/// </summary>
public static class CoreMeter
{
    public const string Name = "TaskLens.Core";
}
