using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using TaskLens.Core.Access;

namespace TaskLens.Server.Access;

/// <summary>
/// Refusals on <c>/api</c> are answered by the API key scheme (401 with <c>WWW-Authenticate: Bearer</c>, 403, each with a
/// problem body), whatever scheme the caller used; pages go to the sign-in cookie's redirects (sign-in, access denied).
/// (A policy names the default scheme, whose own challenge would answer the same; this keeps it so for any policy.)
/// </summary>
internal sealed class ApiAwareAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged || authorizeResult.Forbidden)
        {
            var scheme = context.Request.Path.StartsWithSegments("/api") ? AccessSchemes.ApiKey : AccessSchemes.Cookie;
            if (authorizeResult.Challenged)
            {
                await context.ChallengeAsync(scheme);
            }
            else
            {
                await context.ForbidAsync(scheme);
            }

            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
