namespace TaskLens.Core.Access;

/// <summary>What a stored key is for. Each kind opens one door only: an ingest key cannot read the API, and so on.</summary>
public enum KeyKind
{
    /// <summary>OTLP exports on ports 4317 and 4318; the key names the tenant the telemetry is stored under.</summary>
    Ingest,

    /// <summary>Alert webhooks and the events API (<c>TaskLens:Alerts:Tokens</c> is the configured counterpart).</summary>
    AlertToken,

    /// <summary>The REST API with the <c>read</c> scope.</summary>
    ApiRead,

    /// <summary>The REST API with the <c>triage</c> scope: reads and triages.</summary>
    ApiTriage,
}
