namespace TaskLens.Server.Incidents;

/// <summary>The server's incident messages (event ids 6150-6159; the incident service's own are Core's 6140-6149).</summary>
internal static partial class IncidentLog
{
    [LoggerMessage(6150, LogLevel.Warning, "Incidents: reading the service links of recent spans at start failed; they are learnt from goal runs as they finish")]
    public static partial void LinksFailed(ILogger logger, Exception exception);

    [LoggerMessage(6151, LogLevel.Warning, "Incidents: {Action} on {Id} could not be stored; answered 503, nothing changed")]
    public static partial void TriageNotStored(ILogger logger, string id, string action, Exception exception);
}
