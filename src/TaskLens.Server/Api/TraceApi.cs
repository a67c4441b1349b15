using System.Security.Claims;
using TaskLens.Core;
using TaskLens.Core.Traces;

namespace TaskLens.Server.Api;

/// <summary>The read API for traces and services on the API port.</summary>
internal static class TraceApi
{
    /// <summary>The most spans one answer carries (of a trace, or read for a run); <c>offset</c> pages on.</summary>
    public const int MaxSpans = ITraceReader.MaxSpansPerRead;

    public static RouteGroupBuilder MapTraceApi(this RouteGroupBuilder api)
    {
        api.MapGet("/traces/{traceId}", GetTraceAsync);
        api.MapGet("/services", GetServicesAsync);
        return api;
    }

    private static async Task<IResult> GetTraceAsync(string traceId, ITraceReader reader, HttpContext context, CancellationToken cancellationToken)
    {
        if (!TraceId.TryParse(traceId, out var id) || id == default)
        {
            return Results.Problem(
                title: "Invalid trace id",
                detail: "A trace id is 32 hexadecimal digits and not all zero.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        IResult? problem = null;
        if (!ApiQuery.TryLimit(context.Request.Query["limit"], 1_000, MaxSpans, out var limit, ref problem) || !ApiQuery.TryOffset(context.Request.Query["offset"], out var offset, ref problem))
        {
            return problem!;
        }

        var spans = await reader.GetTraceAsync(context.User.Tenant(), id, offset, limit + 1, cancellationToken);
        if (spans.Count == 0 && offset == 0)
        {
            return Results.Problem(title: "Trace not found", detail: $"No spans of trace {id} are stored.", statusCode: StatusCodes.Status404NotFound);
        }

        var truncated = spans.Count > limit;
        await ApiQuery.WriteJsonAsync(context, json => TraceJson.WriteTrace(json, id.ToString(), truncated ? spans.Take(limit).ToList() : spans, offset, truncated), cancellationToken);
        return Results.Empty;
    }

    private static async Task<IResult> GetServicesAsync(ITraceReader reader, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var services = await reader.GetServicesAsync(user.Tenant(), cancellationToken);
        return Results.Json(new
        {
            services = services.Select(s => new { name = s.Name, spanCount = s.SpanCount, lastSeen = s.LastSeen }),
        });
    }
}
