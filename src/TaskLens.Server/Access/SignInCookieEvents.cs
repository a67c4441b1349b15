using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using TaskLens.Core.Access;

namespace TaskLens.Server.Access;

/// <summary>
/// Checks the user behind a sign-in cookie on every request: a disabled or removed user is signed out at once, and a
/// changed role takes effect at once (the cookie is reissued), rather than when the cookie expires.
/// </summary>
internal sealed class SignInCookieEvents(AccessService access) : CookieAuthenticationEvents
{
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirst(AccessPrincipal.UserIdClaim)?.Value;
        var user = id is null ? null : await access.CurrentUserAsync(id, context.HttpContext.RequestAborted);
        if (user is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(AccessSchemes.Cookie);
            return;
        }

        if (AccessPrincipal.RightsOf(context.Principal!) != Roles.RightsOf(user.Role) || AccessPrincipal.TenantOf(context.Principal!) != user.Tenant)
        {
            context.ReplacePrincipal(AccessPrincipal.ForUser(user, AccessSchemes.Cookie));
            context.ShouldRenew = true;
        }
    }
}
