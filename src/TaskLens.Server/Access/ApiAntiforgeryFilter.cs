using Microsoft.AspNetCore.Antiforgery;
using TaskLens.Core.Access;

namespace TaskLens.Server.Access;

/// <summary>
/// An API write sent with the sign-in cookie must carry the antiforgery token (<c>GET /api/session</c> hands it out),
/// so no other page can make a signed-in browser triage. API keys are not sent by browsers on their own and need none.
/// </summary>
internal sealed class ApiAntiforgeryFilter(IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
            && AccessPrincipal.ViaOf(http.User) == AccessPrincipal.ViaPassword
            && !await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Problem(
                title: "Antiforgery token missing",
                detail: "A write with the sign-in cookie needs the antiforgery token from GET /api/session in its header; or use an API key.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        return await next(context);
    }
}
