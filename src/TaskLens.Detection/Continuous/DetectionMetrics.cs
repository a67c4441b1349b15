using System.Diagnostics.Metrics;
using TaskLens.Core;
using TaskLens.Core.Findings;

namespace TaskLens.Detection.Continuous;

/// <summary>
/// Continuous detection for <c>/metrics</c> (the <see cref="MeterName"/> meter): series watched, detection lag — how far
/// behind now the last judged step ends (the judging delay plus up to a step when healthy; it grows while ClickHouse is
/// away, or while the goal runs are not stored) — steps judged before their goal runs were stored, and findings stored, by status.
/// </summary>
internal sealed class DetectionMetrics : ISelfMetrics
{
    public const string MeterName = "TaskLens.Detection";

    private readonly Counter<long> _findings;

    public DetectionMetrics(IMeterFactory meters, DetectionRunner runner, Runs.RunOutliers outliers, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("tasklens.detection.series", () => runner.SeriesCount, "{series}", "Goal and service series watched by a detector");
        meter.CreateObservableGauge(
            "tasklens.detection.lag",
            () => runner.JudgedUntil is { } until ? [new Measurement<double>((time.GetUtcNow() - until).TotalSeconds)] : Array.Empty<Measurement<double>>(),
            "s",
            "Time from the end of the last judged step to now (absent until the history is learnt)");
        meter.CreateObservableCounter(
            "tasklens.detection.steps_judged_before_runs_stored",
            () => runner.StepsJudgedBeforeRunsStored,
            "{step}",
            "Steps judged on their service series only, their goal series skipped, after waiting TaskLens:Detection:WaitForRunsAtMost for this node's goal runs to be stored (the rollup's watermark stuck)");
        meter.CreateObservableCounter(
            "tasklens.detection.run_outlier_trainings", () => outliers.Trainings, "{training}", "Run-outlier models trained since start (a goal found with too few runs counts too)");
        _findings = meter.CreateCounter<long>("tasklens.detection.findings", "{finding}", "Findings stored, by status: raised, context, resolved");
    }

    public void Stored(IReadOnlyList<Finding> findings)
    {
        foreach (var finding in findings)
        {
            _findings.Add(1, new KeyValuePair<string, object?>("status", Status(finding.Status)));
        }
    }

    private static string Status(FindingStatus status) => status switch
    {
        FindingStatus.Raised => "raised",
        FindingStatus.Context => "context",
        FindingStatus.Resolved => "resolved",
        _ => "other",
    };
}
