namespace TaskLens.Server.AlertIntake;

/// <summary>The webhook endpoints' messages (6132-6133; the intake's own, 6130-6131, are Core's).</summary>
internal static partial class AlertWebhookLog
{
    [LoggerMessage(6132, LogLevel.Warning, "Alert intake could not store {Events} events from {Source}; the sender was told to retry")]
    public static partial void StoreFailed(ILogger logger, int events, string source, Exception exception);

    [LoggerMessage(6133, LogLevel.Information, "Alert intake refused a {Source} webhook: {Status} {Problem}")]
    public static partial void Refused(ILogger logger, string source, int status, string problem);
}
