namespace TaskLens.Core.Briefs;

/// <summary>
/// How one goal is hurt: its completion rate since the incident began against its normal band (the 10th to 90th
/// percentile of the hour before), runs failed since then, and cost burn per hour now against before.
/// Null figures are unknown (no run ended in that time).
/// </summary>
public sealed record GoalImpact(
    string Goal,
    double? CompletionRateNow,
    double? NormalLow,
    double? NormalHigh,
    long FailedRuns,
    long EndedRuns,
    double CostPerHourNow,
    double? CostPerHourNormal,
    IReadOnlyList<string> Sources);
