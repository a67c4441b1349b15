namespace TaskLens.Core.Access;

/// <summary>The authentication schemes and authorization policies, by name, for the server and the dashboard.</summary>
public static class AccessSchemes
{
    /// <summary>Picks one of the three below per request.</summary>
    public const string Default = "TaskLens";

    /// <summary>The sign-in cookie (dashboard, and the API from a signed-in browser).</summary>
    public const string Cookie = "TaskLens.Cookie";

    /// <summary><c>Authorization: Bearer &lt;API key&gt;</c> with the read or triage scope.</summary>
    public const string ApiKey = "TaskLens.ApiKey";

    /// <summary>Open mode on loopback: no credential, the local user.</summary>
    public const string OpenMode = "TaskLens.Open";

    /// <summary>Policy: may read the tenant's data (every signed-in user, read and triage keys, open mode).</summary>
    public const string ReadPolicy = "read";

    /// <summary>Policy: may triage (responders, admins, triage keys, open mode).</summary>
    public const string TriagePolicy = "triage";

    /// <summary>Policy: may manage users, keys and tokens (admins, open mode).</summary>
    public const string AdminPolicy = "admin";
}
