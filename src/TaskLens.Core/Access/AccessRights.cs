namespace TaskLens.Core.Access;

/// <summary>What a caller may do. Roles and API key scopes each grant a set of these (<see cref="Roles"/>, <see cref="KeyKinds"/>).</summary>
[Flags]
public enum AccessRights
{
    None = 0,

    /// <summary>Read the tenant's telemetry, goals, alerts and incidents.</summary>
    Read = 1,

    /// <summary>Change incidents: acknowledge, assign, note, severity, resolve, reopen, merge, split.</summary>
    Triage = 2,

    /// <summary>Manage the tenant's users, ingest keys, API keys and alert tokens.</summary>
    Admin = 4,

    All = Read | Triage | Admin,
}
