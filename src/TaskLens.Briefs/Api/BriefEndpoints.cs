using System.Globalization;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TaskLens.Core.Access;
using TaskLens.Core.Briefs;

namespace TaskLens.Briefs.Api;

/// <summary>
/// <c>GET /api/incidents/{id}/brief</c>, <c>POST /api/incidents/{id}/brief/regenerate</c> (429 with Retry-After when
/// asked too often or the incident's model budget is spent) and the MCP server at <c>/mcp</c>. Mapped on the group the
/// REST API uses, so its filters and authorization apply to these as well.
/// </summary>
public static class BriefEndpoints
{
    public static IEndpointRouteBuilder MapTaskLensBriefs(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/api/incidents/{id}/brief", GetAsync);
        api.MapPost("/api/incidents/{id}/brief/regenerate", RegenerateAsync);
        // The MCP SDK throws (500) on a POST whose body is not JSON: answer it with 415 before it gets there.
        api.MapMcp("/mcp").Add(endpoint =>
        {
            var next = endpoint.RequestDelegate!;
            endpoint.RequestDelegate = context =>
                HttpMethods.IsPost(context.Request.Method) && !context.Request.HasJsonContentType()
                    ? Results.Problem(title: "Unsupported content type", detail: "MCP requests are JSON-RPC: Content-Type: application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType).ExecuteAsync(context)
                    : next(context);
        });
        return api;
    }

    // The caller's tenant and name come from sign-in (ICurrentActor), as on every other read.
    private static async Task<IResult> GetAsync(string id, ICurrentActor actor, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new GetIncidentBrief(actor.Tenant, id), cancellationToken) is { } brief
            ? Results.Json(BriefJson.Of(brief), BriefJson.Options)
            : Results.Problem(title: "Unknown incident", detail: $"No incident '{id}'.", statusCode: StatusCodes.Status404NotFound);

    private static async Task<IResult> RegenerateAsync(string id, HttpContext context, ICurrentActor actor, IMediator mediator, CancellationToken cancellationToken)
    {
        var result = await mediator.Send(new RegenerateIncidentBrief(actor.Tenant, id, actor.Name), cancellationToken);
        switch (result.Outcome)
        {
            case RegenerateOutcome.NotFound:
                return Results.Problem(title: "Unknown incident", detail: $"No incident '{id}'.", statusCode: StatusCodes.Status404NotFound);
            case RegenerateOutcome.RateLimited:
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(result.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return Results.Problem(title: "Too many regenerations", detail: result.Reason, statusCode: StatusCodes.Status429TooManyRequests);
            default:
                return Results.Json(BriefJson.Of(result.Brief!), BriefJson.Options);
        }
    }
}
