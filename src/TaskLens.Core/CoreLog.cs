using Microsoft.Extensions.Logging;
using TaskLens.Core.Incidents;

namespace TaskLens.Core;

/// <summary>Core's log messages (event ids 6140-6149 and 6150: incidents; 6180-6189: access).</summary>
internal static partial class CoreLog
{
    [LoggerMessage(6140, LogLevel.Information, "Incidents: loaded {Live} live incidents (open, or closed within the correlation window)")]
    public static partial void IncidentsLoaded(ILogger logger, int live);

    [LoggerMessage(6141, LogLevel.Warning, "Incidents: a change failed (storing it, or reading what it needed); the board is dropped and loaded again from storage on next use")]
    public static partial void IncidentWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(6146, LogLevel.Information, "Incidents: another writer changed the incidents first (attempt {Attempt}: {Reason}); reading them again and deciding anew")]
    public static partial void IncidentConflict(ILogger logger, int attempt, string reason);

    [LoggerMessage(6142, LogLevel.Warning, "Incidents: a subscriber to {Notification} failed; the change itself is stored")]
    public static partial void SubscriberFailed(ILogger logger, string notification, Exception exception);

    [LoggerMessage(6143, LogLevel.Information, "Incident {Id} ({Tenant}) {Change}: {Title} — {Alerts} alerts, {Severity}")]
    public static partial void IncidentChanged(ILogger logger, string id, string tenant, string change, string title, int alerts, string severity);

    [LoggerMessage(6144, LogLevel.Information, "Incident {Id} ({Tenant}): {Action} by {Actor}, now version {Version}")]
    public static partial void Triaged(ILogger logger, string id, string tenant, TriageAction action, string actor, long version);

    [LoggerMessage(6145, LogLevel.Warning, "Incidents: tenant {Tenant} has its maximum of {Max} open incidents; {Alerts} alerts so far opened none and are in the alert intake only (TaskLens:Incidents:MaxOpenIncidents)")]
    public static partial void OpenIncidentsAtMax(ILogger logger, string tenant, int max, long alerts);

    [LoggerMessage(6150, LogLevel.Warning, "Incidents: reading tenant {Tenant}'s service links of recent spans failed; they are learnt from goal runs as they finish, and read again at the next alert")]
    public static partial void LinksFailed(ILogger logger, string tenant, Exception exception);

    [LoggerMessage(6180, LogLevel.Information, "Access: created the first admin '{Name}' of tenant '{Tenant}' (no user existed)")]
    public static partial void FirstAdminCreated(ILogger logger, string name, string tenant);

    [LoggerMessage(6181, LogLevel.Warning, "Access: re-reading the stored keys failed; the keys loaded before stay in force")]
    public static partial void KeyRefreshFailed(ILogger logger, Exception exception);
}
