namespace TaskLens.Core.Access;

/// <summary>A user's role within their tenant.</summary>
public enum Role
{
    /// <summary>Reads everything of the tenant; cannot triage.</summary>
    Viewer,

    /// <summary>Reads and triages.</summary>
    Responder,

    /// <summary>Reads, triages and manages users, keys and tokens.</summary>
    Admin,
}
