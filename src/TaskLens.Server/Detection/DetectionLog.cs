using TaskLens.Core.Alerts;

namespace TaskLens.Server.Detection;

internal static partial class DetectionLog
{
    [LoggerMessage(6120, LogLevel.Information, "Detection: learnt {Steps} steps of history, watching {Series} series; step {StepMinutes:0.#} min, judged {DelaySeconds:0} s after it ends")]
    public static partial void CaughtUp(ILogger logger, int steps, int series, double stepMinutes, double delaySeconds);

    [LoggerMessage(6121, LogLevel.Warning, "Alert ({Severity}, {Status}) for tenant {Tenant}: {Summary}")]
    public static partial void Alert(ILogger logger, AlertSeverity severity, AlertStatus status, string tenant, string summary);

    [LoggerMessage(6122, LogLevel.Warning, "Detection could not judge the due steps; trying again shortly")]
    public static partial void Failed(ILogger logger, Exception exception);
}
