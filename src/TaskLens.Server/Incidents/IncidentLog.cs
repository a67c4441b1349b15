namespace TaskLens.Server.Incidents;

/// <summary>The server's incident messages (event ids 6150-6159; the incident service's own are Core's 6140-6149).</summary>
internal static partial class IncidentLog
{
    [LoggerMessage(6150, LogLevel.Warning, "Incidents: reading service links from spans failed; correlation keeps the last links known")]
    public static partial void LinksFailed(ILogger logger, Exception exception);

    [LoggerMessage(6151, LogLevel.Warning, "Incidents: {Action} on {Id} could not be stored; answered 503, nothing changed")]
    public static partial void TriageNotStored(ILogger logger, string id, string action, Exception exception);
}
