using Microsoft.Extensions.Options;
using TaskLens.Core.Access;
using TaskLens.Ingest;
using TaskLens.Ingest.Spool;

namespace TaskLens.Server.Api;

/// <summary>
/// <c>GET /api/ingest/spool</c>: the spool's condition (bytes waiting, whether the disk refuses writes, drainer faults,
/// dead letters); <c>GET /api/ingest/dead-letters?limit</c>: the exports set aside because ClickHouse refused them for
/// good or they could not be read back, newest first, each with the reason (the server's error);
/// <c>POST /api/ingest/dead-letters/{id}/replay</c>: back into the spool, once what refused it is fixed (admins only).
/// Dead letters are the caller's tenant's.
/// </summary>
internal static class IngestApi
{
    public static RouteGroupBuilder MapIngestApi(this RouteGroupBuilder api)
    {
        api.MapGet("/ingest/spool", GetSpool);
        api.MapGet("/ingest/dead-letters", ListDeadLetters);
        api.MapPost("/ingest/dead-letters/{id}/replay", ReplayAsync).RequireAuthorization(AccessSchemes.AdminPolicy);
        return api;
    }

    private static IResult GetSpool(HttpContext context)
    {
        if (context.RequestServices.GetService<SpoolMonitor>() is not { } monitor)
        {
            return Results.Json(new { enabled = false });
        }

        var c = monitor.Condition();
        return Results.Json(new
        {
            enabled = true,
            healthy = c.Healthy,
            pendingBytes = c.PendingBytes,
            diskBytes = c.DiskBytes,
            writesRefused = c.WritesRefusedSince is { } since ? new { since, refusedExports = c.RefusedExports, error = c.WriteError } : null,
            drainerFaults = c.DrainerFaults,
            deadLetters = c.DeadLetters,
            deadLetterBytes = c.DeadLetterBytes,
        });
    }

    private static IResult ListDeadLetters(HttpContext context)
    {
        IResult? problem = null;
        if (!ApiQuery.TryLimit(context.Request.Query["limit"], 100, 1_000, out var limit, ref problem))
        {
            return problem!;
        }

        if (context.RequestServices.GetService<SpoolMonitor>() is not { } monitor)
        {
            return Results.Json(new { total = 0, deadLetters = Array.Empty<object>() });
        }

        // Records that could not be read back carry no tenant; they are listed for every tenant (without content).
        var tenant = context.User.Tenant();
        var letters = monitor.DeadLetters.List(null, int.MaxValue)
            .Where(d => d.Tenant == tenant || d.Tenant.Length == 0)
            .ToList();
        return Results.Json(new
        {
            total = letters.Count,
            deadLetters = letters.Take(limit).Select(d => new { id = d.Id, at = d.At, kind = d.Kind, signal = d.Signal, service = d.Service, bytes = d.Bytes, error = d.Error }),
        });
    }

    private static async Task<IResult> ReplayAsync(string id, HttpContext context)
    {
        var monitor = context.RequestServices.GetService<SpoolMonitor>();
        if (monitor?.DeadLetters.Find(id) is not { } letter || (letter.Tenant != context.User.Tenant() && letter.Tenant.Length != 0))
        {
            return Results.Problem(title: "Unknown dead letter", detail: $"No dead letter '{id}'.", statusCode: StatusCodes.Status404NotFound);
        }

        try
        {
            return await monitor.ReplayAsync(id) is { } reason
                ? Results.Problem(title: "Cannot replay", detail: reason, statusCode: StatusCodes.Status409Conflict)
                : Results.Json(new { replayed = id });
        }
        catch (SpoolFullException e)
        {
            // The receivers' answer to a spool refusal: 503 with their Retry-After.
            var retryAfter = context.RequestServices.GetRequiredService<IOptions<IngestOptions>>().Value.RetryAfterSeconds;
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(title: "Spool unavailable", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
