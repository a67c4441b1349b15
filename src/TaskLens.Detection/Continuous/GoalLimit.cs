using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;

namespace TaskLens.Detection.Continuous;

/// <summary>
/// Configured limits for a goal (or every goal: <c>*</c>), checked beside the learned detectors on every step. Each
/// limit is raised once when crossed and again only after the goal came back within it.
/// </summary>
public sealed record GoalLimit
{
    /// <summary>The goal name, or <c>*</c> for every goal without a limit of its own.</summary>
    public string Goal { get; init; } = "*";

    /// <summary>Cost over the trailing hour (the model price table's currency), or null for none.</summary>
    public double? MaxCostPerHour { get; init; }

    /// <summary>Sub-tasks in one run (the p99 over the step's runs), or null for none.</summary>
    public double? MaxFanOut { get; init; }

    /// <summary>Completed ÷ finished runs in one step, 0..1, or null for none; judged only with <see cref="MinRuns"/> runs.</summary>
    public double? MinCompletionRate { get; init; }

    public int MinRuns { get; init; } = 5;

    public AlertSeverity Severity { get; init; } = AlertSeverity.Critical;
}
