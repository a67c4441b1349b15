namespace TaskLens.Core;

/// <summary>Tenant names TaskLens itself uses.</summary>
public static class Tenants
{
    /// <summary>
    /// The tenant of open mode (TaskLens:Ingest:OpenMode): of data sent without a key, alerts without a token, and
    /// the local user's reads and triage. Otherwise the tenant comes from the key, token or signed-in user.
    /// </summary>
    public const string Default = "default";
}
