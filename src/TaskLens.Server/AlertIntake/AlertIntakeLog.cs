using TaskLens.Core.Alerts.Intake;

namespace TaskLens.Server.AlertIntake;

internal static partial class AlertIntakeLog
{
    [LoggerMessage(6130, LogLevel.Information, "Alert intake: {States} alert states loaded back from ClickHouse")]
    public static partial void Loaded(ILogger logger, int states);

    [LoggerMessage(6131, LogLevel.Information, "Alert from {Source} for tenant {Tenant} {Change}: {Title} (fired {Fires} times)")]
    public static partial void Changed(ILogger logger, string source, string tenant, AlertChange change, string title, int fires);

    [LoggerMessage(6132, LogLevel.Warning, "Alert intake could not store {Events} events from {Source}; the sender was told to retry")]
    public static partial void StoreFailed(ILogger logger, int events, string source, Exception exception);

    [LoggerMessage(6133, LogLevel.Information, "Alert intake refused a {Source} webhook: {Status} {Problem}")]
    public static partial void Refused(ILogger logger, string source, int status, string problem);
}
