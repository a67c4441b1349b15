namespace TaskLens.Core;

/// <summary>Tenant names TaskLens itself uses.</summary>
public static class Tenants
{
    /// <summary>
    /// The tenant of data sent without a key in open mode (TaskLens:Ingest:OpenMode), and the one the read API,
    /// the dashboard and the webhooks' open mode use: they do not choose a tenant per request yet (ingest keys and alert
    /// tokens do map writes to their tenants).
    /// </summary>
    public const string Default = "default";
}
