using TaskLens.Core;
using System.Text.Json;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Server.Api;

namespace TaskLens.Server.AlertIntake;

/// <summary>
/// The alert intake on the API port: <c>POST /api/alerts/alertmanager[/{token}]</c>, <c>POST /api/alerts/grafana[/{token}]</c>
/// and <c>POST /api/alerts/events</c> (PagerDuty Events v2 shape), plus <c>GET /api/alert-states</c>. A refused request
/// (401, 400, 413, 415) changes nothing; a request that could not be stored gets 503 with Retry-After, which
/// Alertmanager and Grafana retry (they do not retry 4xx).
/// </summary>
internal static class AlertIntakeEndpoints
{
    private static readonly string[] UnknownRoutingKey = ["'routing_key' is not a configured token."];

    public static RouteGroupBuilder MapAlertIntake(this RouteGroupBuilder api)
    {
        // Alert sources authenticate with their token (below), not with sign-in or API keys.
        api.MapPost("/alerts/{source:regex(^(alertmanager|grafana)$)}", WebhookAsync).AllowAnonymous();
        api.MapPost("/alerts/{source:regex(^(alertmanager|grafana)$)}/{token}", WebhookAsync).AllowAnonymous();
        api.MapPost("/alerts/events", EventAsync).AllowAnonymous();
        api.MapGet("/alert-states", ListStatesAsync);
        return api;
    }

    private static async Task<IResult> WebhookAsync(HttpContext context, string source, string? token = null)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILogger<AlertIntakeService>>();
        var tenant = services.GetRequiredService<AlertIntakeAuth>().TenantOf(token ?? AlertIntakeAuth.BearerToken(context.Request));
        if (tenant is null)
        {
            return Refuse(logger, source, StatusCodes.Status401Unauthorized, "Unauthorized", "Send the token as Authorization: Bearer TOKEN or as the last path segment.");
        }

        var (json, refusal) = await ApiQuery.ReadJsonAsync(context, services.GetRequiredService<AlertIntakeOptions>().MaxBodyBytes);
        if (refusal is not null)
        {
            return Refuse(logger, source, refusal.Value.Status, refusal.Value.Title, refusal.Value.Detail);
        }

        using (json)
        {
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            if (!WebhookPayload.TryRead(json!.RootElement, source, tenant, now, out var events, out var problem))
            {
                return Refuse(logger, source, StatusCodes.Status400BadRequest, "Invalid payload", problem);
            }

            var most = services.GetRequiredService<AlertIntakeOptions>().Limits.MaxAlertsPerRequest;
            if (events.Count > most)
            {
                return Refuse(logger, source, StatusCodes.Status400BadRequest, "Too many alerts", $"At most {most} alerts per request; {events.Count} were sent.");
            }

            if (await TryAcceptAsync(services, logger, source, events, context.RequestAborted) is { } refused)
            {
                return refused.Status == StatusCodes.Status503ServiceUnavailable ? Unavailable() : Refuse(logger, source, refused.Status, "Alerts refused", refused.Reason);
            }

            return Results.Json(new { status = "success", accepted = events.Count });
        }
    }

    private static async Task<IResult> EventAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILogger<AlertIntakeService>>();
        var (json, refusal) = await ApiQuery.ReadJsonAsync(context, services.GetRequiredService<AlertIntakeOptions>().MaxBodyBytes);
        if (refusal is not null)
        {
            AlertWebhookLog.Refused(logger, "events", refusal.Value.Status, refusal.Value.Detail);
            return Results.Json(new { status = "invalid event", message = refusal.Value.Title, errors = new[] { refusal.Value.Detail } }, statusCode: refusal.Value.Status);
        }

        using (json)
        {
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            if (!EventsPayload.TryRead(json!.RootElement, now, out var routingKey, out var build, out var errors))
            {
                AlertWebhookLog.Refused(logger, "events", 400, string.Join(" ", errors));
                return Results.Json(new { status = "invalid event", message = "Event object is invalid", errors }, statusCode: StatusCodes.Status400BadRequest);
            }

            var tenant = services.GetRequiredService<AlertIntakeAuth>().TenantOf(routingKey);
            if (tenant is null)
            {
                AlertWebhookLog.Refused(logger, "events", 401, "unknown routing_key");
                return Results.Json(new { status = "unauthorized", message = "Unknown routing_key", errors = UnknownRoutingKey }, statusCode: StatusCodes.Status401Unauthorized);
            }

            var e = build!(tenant);
            if (await TryAcceptAsync(services, logger, "events", [e], cancellationToken) is { } refused)
            {
                return refused.Status == StatusCodes.Status503ServiceUnavailable
                    ? Unavailable()
                    : Results.Json(new { status = "invalid event", message = "Event refused", errors = new[] { refused.Reason } }, statusCode: refused.Status);
            }

            return Results.Json(new { status = "success", message = "Event processed", dedup_key = e.Fingerprint }, statusCode: StatusCodes.Status202Accepted);
        }
    }

    /// <summary><c>GET /api/alert-states?status=firing|acknowledged|resolved&amp;source&amp;limit</c>, most recently heard of first.</summary>
    private static async Task<IResult> ListStatesAsync(HttpContext context, IAlertIntakeStore store, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        IResult? problem = null;
        if (!ApiQuery.TryLimit(query["limit"], 100, 1_000, out var limit, ref problem)
            || !ApiQuery.TryEnum<AlertStateStatus>(query["status"], "status", "status is firing, acknowledged or resolved.", out var status, ref problem))
        {
            return problem!;
        }

        var states = await store.ListAsync(context.User.Tenant(), status, ApiQuery.NullIfEmpty(query["source"]), limit, cancellationToken);
        return Results.Json(new
        {
            alerts = states.Select(s => new
            {
                source = s.Source,
                fingerprint = s.Fingerprint,
                status = s.Status.ToString().ToLowerInvariant(),
                title = s.Title,
                message = s.Message,
                severity = s.Severity.ToString().ToLowerInvariant(),
                labels = s.Labels,
                url = s.Url,
                firstSeen = s.FirstSeen,
                lastSeen = s.LastSeen,
                resolvedAt = s.ResolvedAt,
                fires = s.Fires,
                events = s.Events,
                version = s.Version,
            }),
        });
    }

    /// <summary>Null when the events were taken; else the status to answer (400 or 429 refused by a bound, 503 not stored) and why.</summary>
    private static async Task<(int Status, string Reason)?> TryAcceptAsync(
        IServiceProvider services, ILogger logger, string source, List<AlertEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await services.GetRequiredService<AlertIntakeService>().AcceptAsync(events, cancellationToken);
            return null;
        }
        catch (AlertRefusedException e)
        {
            AlertWebhookLog.Refused(logger, source, e.Status, e.Message);
            return (e.Status, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            AlertWebhookLog.StoreFailed(logger, events.Count, source, e);
            return (StatusCodes.Status503ServiceUnavailable, "");
        }
    }

    private static IResult Refuse(ILogger logger, string source, int status, string title, string detail)
    {
        AlertWebhookLog.Refused(logger, source, status, detail);
        return Results.Problem(title: title, detail: detail, statusCode: status);
    }

    private static RetryAfterResult Unavailable()
    {
        return new RetryAfterResult(Results.Problem(title: "Storage unavailable", detail: "The alerts could not be stored; retry.", statusCode: StatusCodes.Status503ServiceUnavailable));
    }

    /// <summary>Adds <c>Retry-After: 5</c> to a result.</summary>
    private sealed class RetryAfterResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = "5";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
