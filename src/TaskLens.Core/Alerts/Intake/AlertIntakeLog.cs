using Microsoft.Extensions.Logging;

namespace TaskLens.Core.Alerts.Intake;

/// <summary>The alert intake's messages (6130-6131; the webhook endpoints' are the server's 6132-6133).</summary>
internal static partial class AlertIntakeLog
{
    [LoggerMessage(6130, LogLevel.Information, "Alert intake: {States} alert states loaded back from ClickHouse")]
    public static partial void Loaded(ILogger logger, int states);

    [LoggerMessage(6131, LogLevel.Information, "Alert from {Source} for tenant {Tenant} {Change}: {Title} (fired {Fires} times)")]
    public static partial void Changed(ILogger logger, string source, string tenant, AlertChange change, string title, int fires);
}
