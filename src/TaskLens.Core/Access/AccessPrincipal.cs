using System.Globalization;
using System.Security.Claims;

namespace TaskLens.Core.Access;

/// <summary>
/// The claims every way in produces — a sign-in cookie, an API key, open mode — so the API, the dashboard and the
/// authorization policies read one shape: a name (recorded on triage), a tenant (every read is scoped to it) and rights.
/// </summary>
public static class AccessPrincipal
{
    public const string TenantClaim = "tasklens:tenant";
    public const string RightsClaim = "tasklens:rights";
    public const string UserIdClaim = "tasklens:user";
    public const string ViaClaim = "tasklens:via";

    /// <summary>How the caller got in: <c>password</c> (sign-in cookie), <c>key</c> (API key), <c>open</c> (open mode).</summary>
    public const string ViaPassword = "password";
    public const string ViaKey = "key";
    public const string ViaOpenMode = "open";

    public static ClaimsPrincipal ForUser(AppUser user, string scheme) => Create(scheme, user.Name, user.Tenant, Roles.RightsOf(user.Role), ViaPassword,
        new Claim(UserIdClaim, user.Id), new Claim(ClaimTypes.Role, Roles.Name(user.Role)));

    /// <summary>An API key acts as its creator, named with the key, e.g. <c>ana (key ci-bot)</c>.</summary>
    public static ClaimsPrincipal ForKey(AccessKey key, string scheme) =>
        Create(scheme, $"{key.CreatedBy} (key {key.Name})", key.Tenant, KeyKinds.ApiRightsOf(key.Kind), ViaKey);

    public static ClaimsPrincipal OpenMode(string scheme) =>
        Create(scheme, OpenModeActor.UserName, OpenModeActor.DefaultTenant, AccessRights.All, ViaOpenMode, new Claim(ClaimTypes.Role, Roles.Name(Role.Admin)));

    /// <summary>The caller's tenant; null for a principal no TaskLens scheme made.</summary>
    public static string? TenantOf(ClaimsPrincipal principal) => principal.FindFirst(TenantClaim)?.Value;

    public static AccessRights RightsOf(ClaimsPrincipal principal) =>
        int.TryParse(principal.FindFirst(RightsClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var rights)
            ? (AccessRights)rights & AccessRights.All
            : AccessRights.None;

    public static bool Has(ClaimsPrincipal principal, AccessRights rights) => (RightsOf(principal) & rights) == rights;

    public static string? ViaOf(ClaimsPrincipal principal) => principal.FindFirst(ViaClaim)?.Value;

    private static ClaimsPrincipal Create(string scheme, string name, string tenant, AccessRights rights, string via, params Claim[] more)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, name),
                new Claim(TenantClaim, tenant),
                new Claim(RightsClaim, ((int)rights).ToString(CultureInfo.InvariantCulture)),
                new Claim(ViaClaim, via),
                .. more,
            ],
            scheme,
            ClaimTypes.Name,
            ClaimTypes.Role);
        return new ClaimsPrincipal(identity);
    }
}
