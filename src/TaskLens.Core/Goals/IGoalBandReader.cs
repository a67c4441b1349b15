namespace TaskLens.Core.Goals;

/// <summary>
/// The series continuous detection watches for one goal, each step with the limits the detector judged it against.
/// TaskLens.Detection implements it by replaying the production detector (its settings, its history) over the stored
/// series, so the dashboard draws the band that decided, not an approximation of it.
/// </summary>
public interface IGoalBandReader
{
    /// <summary>Every watched metric of the goal at each detection step starting in [<paramref name="since"/>, <paramref name="until"/>).</summary>
    Task<GoalBands> ReadAsync(string tenant, string goal, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);
}
