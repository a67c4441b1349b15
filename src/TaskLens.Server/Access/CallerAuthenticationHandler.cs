using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using TaskLens.Core.Access;

namespace TaskLens.Server.Access;

/// <summary>
/// The default scheme: an <c>Authorization: Bearer</c> request is an API key and nothing else; otherwise the sign-in
/// cookie, and failing that open mode — so in open mode a cookie that no longer decrypts (keys rotated, a restart
/// without persisted keys) or whose user was disabled falls back to the local user instead of demanding sign-in.
/// Challenges and refusals are answered per path by <see cref="ApiAwareAuthorizationResultHandler"/>.
/// </summary>
internal sealed class CallerAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiKeyAuthenticationHandler.BearerOf(Request) is not null)
        {
            return await Context.AuthenticateAsync(AccessSchemes.ApiKey);
        }

        var cookie = await Context.AuthenticateAsync(AccessSchemes.Cookie);
        return cookie.Succeeded ? cookie : await Context.AuthenticateAsync(AccessSchemes.OpenMode);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Context.ChallengeAsync(Request.Path.StartsWithSegments("/api") ? AccessSchemes.ApiKey : AccessSchemes.Cookie, properties);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Context.ForbidAsync(Request.Path.StartsWithSegments("/api") ? AccessSchemes.ApiKey : AccessSchemes.Cookie, properties);
}
