using System.Net;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using TaskLens.Core.Access;

namespace TaskLens.Server.Access;

/// <summary>
/// Open mode (<c>TaskLens:Ingest:OpenMode</c>, allowed only while every listener is on loopback): a request without a
/// credential from a loopback address is the local user, with every right, in the tenant <c>default</c>.
/// </summary>
internal sealed class OpenModeAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessMode mode)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    // A request a trusted proxy forwarded (X-Original-For is set when its forwarded address replaced the connection's)
    // is never the local user, whatever address it claims.
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(mode.OpenMode && Context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
            && !Context.Request.Headers.ContainsKey("X-Original-For")
            ? AuthenticateResult.Success(new AuthenticationTicket(AccessPrincipal.OpenMode(Scheme.Name), Scheme.Name))
            : AuthenticateResult.NoResult());
}
