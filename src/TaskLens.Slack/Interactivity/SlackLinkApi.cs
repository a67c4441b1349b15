using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TaskLens.Core.Access;
using TaskLens.Core.Slack;

namespace TaskLens.Slack.Interactivity;

/// <summary>
/// <c>PUT /api/slack/links/{slackUserId}</c> with <c>{"user": "name"}</c> and <c>DELETE</c> of the same path: stored links
/// from Slack users to TaskLens users. Whoever links a Slack user decides whose name that person acts under, so these
/// answer only requests made on the TaskLens host itself: from loopback, to a loopback host name, and not forwarded by a
/// proxy (a reverse proxy on the same host connects from loopback too), and only to an admin (open mode's local user is
/// one); elsewhere links come from configuration.
/// </summary>
internal static class SlackLinkApi
{
    public static void MapSlackLinks(this RouteGroupBuilder slack)
    {
        slack.MapPut("/links/{slackUserId}", async (string slackUserId, HttpContext context, ICurrentActor actor, IUserStore users, ISlackStateStore store) =>
        {
            if (!FromLoopback(context) || !IsAdmin(actor))
            {
                return Forbidden();
            }

            LinkBody? body;
            try
            {
                body = await context.Request.ReadFromJsonAsync<LinkBody>(context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
            {
                body = null;
            }

            if (!SlackUsers.IsSlackUserId(slackUserId) || body is null || !SlackUsers.IsUserName(body.User))
            {
                return Results.Problem(title: "Invalid link", detail: "PUT /api/slack/links/U0123456789 with {\"user\": \"<TaskLens user name>\"}.", statusCode: StatusCodes.Status400BadRequest);
            }

            // Once users exist, a link names an active user of the admin's own tenant (open mode on a fresh machine has none).
            if (await users.AnyAsync(context.RequestAborted).ConfigureAwait(false)
                && !await IsActiveUserOfAsync(users, body.User!, actor.Tenant, context.RequestAborted).ConfigureAwait(false))
            {
                return Results.Problem(title: "Unknown user", detail: $"No active TaskLens user '{body.User}' in tenant '{actor.Tenant}'.", statusCode: StatusCodes.Status422UnprocessableEntity);
            }

            await store.LinkUserAsync(slackUserId, body.User!, context.RequestAborted).ConfigureAwait(false);
            return Results.Json(new { slackUserId, user = body.User });
        });
        slack.MapDelete("/links/{slackUserId}", async (string slackUserId, HttpContext context, ICurrentActor actor, ISlackStateStore store) =>
            !FromLoopback(context) || !IsAdmin(actor) ? Forbidden()
            : await store.UnlinkUserAsync(slackUserId, context.RequestAborted).ConfigureAwait(false) ? Results.NoContent()
            : Results.Problem(title: "Unknown link", detail: $"No stored link for '{slackUserId}'.", statusCode: StatusCodes.Status404NotFound));
    }

    /// <remarks>
    /// With trusted proxies configured (<c>TaskLens:Network:TrustedProxies</c>), ASP.NET Core's forwarded headers
    /// middleware has already replaced the connection's address with the client's and moved <c>X-Forwarded-For</c> to
    /// <c>X-Original-For</c>: a request forwarded for a loopback client is still refused by that header.
    /// </remarks>
    private static bool FromLoopback(HttpContext context)
    {
        var headers = context.Request.Headers;
        var host = context.Request.Host.Host;
        return context.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)
            && (host is "localhost" || (IPAddress.TryParse(host, out var named) && IPAddress.IsLoopback(named)))
            && !headers.ContainsKey("X-Forwarded-For") && !headers.ContainsKey("Forwarded") && !headers.ContainsKey("X-Real-IP")
            && !headers.ContainsKey("X-Forwarded-Host") && !headers.ContainsKey("X-Original-For");
    }

    private static async Task<bool> IsActiveUserOfAsync(IUserStore users, string name, string tenant, CancellationToken cancellationToken) =>
        await users.FindByNameAsync(name, cancellationToken).ConfigureAwait(false) is { IsActive: true } user && user.Tenant == tenant;

    private static bool IsAdmin(ICurrentActor actor) => (actor.Rights & AccessRights.Admin) != 0;

    private static IResult Forbidden() =>
        Results.Problem(title: "Forbidden", detail: "Slack links are managed by an admin from the TaskLens host (loopback) or in TaskLens:Slack:Users.", statusCode: StatusCodes.Status403Forbidden);

    private sealed record LinkBody(string? User);
}
