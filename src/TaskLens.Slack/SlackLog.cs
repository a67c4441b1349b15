using Microsoft.Extensions.Logging;

namespace TaskLens.Slack;

/// <summary>Slack's log lines: event ids 8000-8049. Payloads only at Debug; tokens and secrets never.</summary>
internal static partial class SlackLog
{
    [LoggerMessage(8000, LogLevel.Information, "Slack: {Mode} mode, default channel '{Channel}', {Routes} routes, {Users} configured user links")]
    public static partial void Started(ILogger logger, string mode, string channel, int routes, int users);

    [LoggerMessage(8001, LogLevel.Information, "Slack: posted incident {IncidentId} (tenant {Tenant}) to {Channel} as {Ts}")]
    public static partial void Posted(ILogger logger, string incidentId, string tenant, string channel, string ts);

    [LoggerMessage(8002, LogLevel.Warning, "Slack: delivering incident {IncidentId} failed ({Error}); attempt {Attempt}, trying again in {Delay}")]
    public static partial void DeliveryFailed(ILogger logger, string incidentId, string error, int attempt, TimeSpan delay);

    [LoggerMessage(8003, LogLevel.Error, "Slack: giving up on incident {IncidentId}'s change after {Attempts} attempts ({Error}); its next change is delivered afresh")]
    public static partial void DeliveryDropped(ILogger logger, string incidentId, int attempts, string error);

    [LoggerMessage(8004, LogLevel.Warning, "Slack: rate limited on channel {Channel}; waiting {RetryAfter} as Slack asked")]
    public static partial void RateLimited(ILogger logger, string channel, TimeSpan retryAfter);

    [LoggerMessage(8005, LogLevel.Information, "Slack: the message of incident {IncidentId} is gone from {Channel} ({Error}); posting a new one")]
    public static partial void MessageGone(ILogger logger, string incidentId, string channel, string error);

    [LoggerMessage(8010, LogLevel.Warning, "Slack: refused a {Path} request: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string path, string reason);

    [LoggerMessage(8011, LogLevel.Information, "Slack: {SlackUser} ({User}) ran {Action} on incident {IncidentId}: {Outcome}")]
    public static partial void Triaged(ILogger logger, string slackUser, string user, string action, string incidentId, string outcome);

    [LoggerMessage(8012, LogLevel.Information, "Slack: unlinked Slack user {SlackUser} tried {Action}; told how to link, nothing changed")]
    public static partial void Unlinked(ILogger logger, string slackUser, string action);

    [LoggerMessage(8013, LogLevel.Warning, "Slack: answering {SlackUser} failed ({Error})")]
    public static partial void ReplyFailed(ILogger logger, string slackUser, string error);

    [LoggerMessage(8014, LogLevel.Warning, "Slack: triage from Slack could not be stored; nothing changed")]
    public static partial void TriageFailed(ILogger logger, Exception exception);

    [LoggerMessage(8020, LogLevel.Debug, "Slack: {Method} {Payload}")]
    public static partial void Payload(ILogger logger, string method, string payload);
}
