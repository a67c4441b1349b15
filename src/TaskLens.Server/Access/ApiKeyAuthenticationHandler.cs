using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using TaskLens.Core.Access;

namespace TaskLens.Server.Access;

/// <summary>
/// <c>Authorization: Bearer &lt;API key&gt;</c>: a stored key with the read or triage scope acts for its tenant. Any
/// other bearer is no result — not a logged failure, since webhooks carry their alert tokens the same way — so an
/// unknown or revoked key is refused (401) even in open mode: a key that is sent must be known. Challenges and
/// refusals answer as the rest of the API does, with a problem body.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessKeyDirectory keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerOf(Request) is not { } secret)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(keys.FindApiKey(secret) is { } key
            ? AuthenticateResult.Success(new AuthenticationTicket(AccessPrincipal.ForKey(key, Scheme.Name), Scheme.Name))
            : AuthenticateResult.NoResult());
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized",
            BearerOf(Request) is null
                ? "Sign in, or send an API key with the read or triage scope: Authorization: Bearer <key>."
                : "The API key is not known or was revoked.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "Your role or key scope does not allow this: triage needs a responder, an admin or a triage-scope key; managing access needs an admin.");

    /// <summary>The token of <c>Authorization: Bearer …</c>, else null.</summary>
    public static string? BearerOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    private Task WriteProblemAsync(int status, string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(Context);
}
