using System.Security.Claims;
using TaskLens.Core.Access;

namespace TaskLens.Server.Api;

/// <summary>The caller of an API request, as the access policies let it through: every read and change is for its tenant.</summary>
internal static class ApiCaller
{
    /// <summary>The caller's tenant; the read policy, which every API endpoint requires, guarantees one.</summary>
    public static string Tenant(this ClaimsPrincipal user) =>
        AccessPrincipal.TenantOf(user) ?? throw new InvalidOperationException("An API endpoint ran without the read policy: no tenant.");

    /// <summary>Who triage records: the signed-in user, the API key's creator and name, or open mode's local user.</summary>
    public static string Actor(this ClaimsPrincipal user) =>
        user.Identity?.Name is { Length: > 0 } name ? name : throw new InvalidOperationException("An API endpoint ran without an authenticated caller.");
}
