using Microsoft.Extensions.Logging;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;

namespace TaskLens.Detection.Continuous;

internal static partial class DetectionLog
{
    [LoggerMessage(6120, LogLevel.Information, "Detection: learnt {Steps} steps of history, watching {Series} series; step {StepMinutes:0.#} min, judged {DelaySeconds:0} s after it ends at the earliest, once this node's goal runs are stored")]
    public static partial void CaughtUp(ILogger logger, int steps, int series, double stepMinutes, double delaySeconds);

    [LoggerMessage(6121, LogLevel.Warning, "Finding ({Severity}, {Status}) for tenant {Tenant}: {Summary}")]
    public static partial void Finding(ILogger logger, AlertSeverity severity, FindingStatus status, string tenant, string summary);

    [LoggerMessage(6123, LogLevel.Warning, "Detection watches its maximum of {MaxSeries} series, or a tenant its TaskLens:Detection:MaxSeriesPerTenant: {Points} points of newer series were not judged so far (TaskLens:Detection:MaxSeries)")]
    public static partial void OverLimit(ILogger logger, int maxSeries, long points);

    [LoggerMessage(6124, LogLevel.Warning, "Detection could not hand {Findings} alert events to the alert intake; they are in the alerts table and are offered again on the next tick")]
    public static partial void HandOverFailed(ILogger logger, int findings, Exception exception);

    [LoggerMessage(6125, LogLevel.Warning, "Detection judged {Steps} steps on their service series only, their goal series skipped: this node's goal runs were not stored within TaskLens:Detection:WaitForRunsAtMost ({WaitSeconds:0} s past the delay); the goal rollup has stored every run only through {StoredThrough}")]
    public static partial void JudgedBeforeRunsStored(ILogger logger, long steps, double waitSeconds, DateTimeOffset? storedThrough);

    [LoggerMessage(6122, LogLevel.Warning, "Detection could not judge the due steps; trying again shortly")]
    public static partial void Failed(ILogger logger, Exception exception);
}
