using System.Security.Claims;

namespace TaskLens.Core.Access;

/// <summary>The actor a TaskLens principal describes; no rights and no tenant for anyone else.</summary>
public sealed class PrincipalActor(ClaimsPrincipal principal) : ICurrentActor
{
    public string Name => principal.Identity?.Name ?? "";

    /// <summary>Empty when not signed in: no tenant has that name, so a read for it finds nothing.</summary>
    public string Tenant => AccessPrincipal.TenantOf(principal) ?? "";

    public AccessRights Rights => AccessPrincipal.RightsOf(principal);
}
