namespace TaskLens.Core.Access;

/// <summary>The rights of each role, and role names as written in the API, the command line and the store.</summary>
public static class Roles
{
    public static AccessRights RightsOf(Role role) => role switch
    {
        Role.Viewer => AccessRights.Read,
        Role.Responder => AccessRights.Read | AccessRights.Triage,
        Role.Admin => AccessRights.All,
        _ => AccessRights.None,
    };

    public static string Name(Role role) => role switch
    {
        Role.Viewer => "viewer",
        Role.Responder => "responder",
        Role.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    /// <summary>viewer, responder or admin (case-insensitive); numbers are not role names.</summary>
    public static bool TryParse(string? text, out Role role)
    {
        role = default;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "viewer":
                role = Role.Viewer;
                return true;
            case "responder":
                role = Role.Responder;
                return true;
            case "admin":
                role = Role.Admin;
                return true;
            default:
                return false;
        }
    }
}
