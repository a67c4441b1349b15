namespace TaskLens.Server.Incidents;

/// <summary>The server's incident messages (event ids 6151-6159; Core's incident messages are 6140-6150).</summary>
internal static partial class IncidentLog
{
    [LoggerMessage(6151, LogLevel.Warning, "Incidents: {Action} on {Id} could not be stored; answered 503, nothing changed")]
    public static partial void TriageNotStored(ILogger logger, string id, string action, Exception exception);
}
