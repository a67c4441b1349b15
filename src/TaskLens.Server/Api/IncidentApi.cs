using System.Security.Claims;
using System.Text.Json;
using MediatR;
using TaskLens.Core.Access;
using TaskLens.Core.Alerts;
using TaskLens.Core.Incidents;
using TaskLens.Server.Incidents;

namespace TaskLens.Server.Api;

/// <summary>
/// Incidents over REST, through the same MediatR requests every channel uses:
/// <c>GET /api/incidents?status&amp;severity&amp;goal&amp;service&amp;from&amp;to&amp;limit</c>, <c>GET /api/incidents/{id}</c>,
/// <c>POST /api/incidents/{id}/ack|resolve|reopen|assign|notes|severity|merge|split</c> with a JSON body naming the
/// <c>version</c> seen (409 with the current incident when a triage change came after it), and
/// <c>GET /api/services/links</c>, the service calls correlation uses.
/// </summary>
internal static class IncidentApi
{
    private const int MaxBodyBytes = 64 * 1024;

    private static readonly Dictionary<string, TriageAction> Actions = new(StringComparer.Ordinal)
    {
        ["ack"] = TriageAction.Acknowledge,
        ["resolve"] = TriageAction.Resolve,
        ["reopen"] = TriageAction.Reopen,
        ["assign"] = TriageAction.Assign,
        ["notes"] = TriageAction.Note,
        ["severity"] = TriageAction.Severity,
        ["merge"] = TriageAction.Merge,
        ["split"] = TriageAction.Split,
    };

    public static RouteGroupBuilder MapIncidentApi(this RouteGroupBuilder api)
    {
        api.MapGet("/incidents", ListAsync);
        api.MapGet("/incidents/{id}", GetAsync);
        api.MapPost("/incidents/{id}/{action}", TriageAsync).RequireAuthorization(AccessSchemes.TriagePolicy);
        api.MapGet("/services/links", async (ServiceLinkCache links, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        {
            await links.LoadAsync(user.Tenant(), cancellationToken);
            return Results.Json(new
            {
                links = links.Current.Where(l => l.Link.Tenant == user.Tenant())
                    .Select(l => new { caller = l.Link.Caller, callee = l.Link.Callee, calls = l.Link.Calls, lastSeen = l.LastSeen }),
            });
        });
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        if (!ApiQuery.TryWindow(context, out var from, out var to, out var problem)
            || !ApiQuery.TryLimit(query["limit"], 100, 1_000, out var limit, ref problem)
            || !ApiQuery.TryEnum<IncidentStatus>(query["status"], "status", "status is triggered, acknowledged, resolved or merged.", out var status, ref problem)
            || !ApiQuery.TryEnum<AlertSeverity>(query["severity"], "severity", "severity is info, warning or critical.", out var severity, ref problem))
        {
            return problem!;
        }

        // Open incidents are always listed; closed ones when touched in the window, by default the last day.
        if (string.IsNullOrEmpty(query["from"]))
        {
            from = to.AddDays(-1);
        }

        var incidents = await mediator.Send(
            new ListIncidents(new IncidentQuery(context.User.Tenant(), from, to, status, severity, ApiQuery.NullIfEmpty(query["goal"]), ApiQuery.NullIfEmpty(query["service"]), limit)),
            cancellationToken);
        return Results.Json(new { from, to, incidents = incidents.Select(IncidentJson.Summary) });
    }

    private static async Task<IResult> GetAsync(string id, ClaimsPrincipal user, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new GetIncident(user.Tenant(), id), cancellationToken) is { } detail
            ? Results.Json(IncidentJson.Detail(detail))
            : Results.Problem(title: "Unknown incident", detail: $"No incident '{id}'.", statusCode: StatusCodes.Status404NotFound);

    private static async Task<IResult> TriageAsync(
        string id, string action, HttpContext context, IMediator mediator, ILogger<IncidentService> logger, CancellationToken cancellationToken)
    {
        if (!Actions.TryGetValue(action, out var triage))
        {
            return Results.Problem(title: "Unknown action", detail: "Actions are " + string.Join(", ", Actions.Keys) + ".", statusCode: StatusCodes.Status404NotFound);
        }

        var (json, refusal) = await ApiQuery.ReadJsonAsync(context, MaxBodyBytes);
        if (refusal is { } r)
        {
            return Results.Problem(title: r.Title, detail: r.Detail, statusCode: r.Status);
        }

        TriageIncident request;
        using (json)
        {
            if (Read(json!.RootElement, context.User, id, triage) is not { } read)
            {
                return ApiQuery.BadRequest("Invalid triage request", Expected(triage));
            }

            request = read;
        }

        if (request.MergeFrom.Count > TriageIncident.MaxMergeSources)
        {
            return ApiQuery.BadRequest("Too many incidents", $"Merge at most {TriageIncident.MaxMergeSources} incidents at once; {request.MergeFrom.Count} were named.");
        }

        TriageResult result;
        try
        {
            result = await mediator.Send(request, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing was changed: the incident service stores a change before it keeps it.
            IncidentLog.TriageNotStored(logger, id, action, e);
            context.Response.Headers.RetryAfter = "5";
            return Results.Problem(title: "Storage unavailable", detail: "The change could not be stored; nothing changed. Retry.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return result.Outcome switch
        {
            TriageOutcome.Done or TriageOutcome.Unchanged => Results.Json(new
            {
                changed = result.Outcome == TriageOutcome.Done,
                incident = IncidentJson.Summary(result.Incident!),
                created = result.Created is null ? null : IncidentJson.Summary(result.Created),
            }),
            TriageOutcome.Stale => Results.Json(
                new { title = "Stale version", status = 409, detail = result.Reason, current = IncidentJson.Summary(result.Incident!) },
                statusCode: StatusCodes.Status409Conflict,
                contentType: "application/problem+json"),
            TriageOutcome.NotFound => Results.Problem(title: "Unknown incident", detail: result.Reason, statusCode: StatusCodes.Status404NotFound),
            _ => Results.Problem(title: "Not possible", detail: result.Reason, statusCode: StatusCodes.Status422UnprocessableEntity),
        };
    }

    /// <summary>
    /// The request from the body; null when a field is missing or of the wrong kind. The actor is the authenticated
    /// caller: a <c>by</c> field in the body is ignored, so no one can triage in another's name.
    /// </summary>
    private static TriageIncident? Read(JsonElement body, ClaimsPrincipal caller, string id, TriageAction action)
    {
        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("version", out var version) || !version.TryGetInt64(out var expected) || expected < 0)
        {
            return null;
        }

        var request = new TriageIncident(caller.Tenant(), id, action, expected, caller.Actor());
        string? Text(string field) => body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        switch (action)
        {
            case TriageAction.Assign:
                return Text("assignee") is { } assignee ? request with { Text = assignee } : null;
            case TriageAction.Note:
                return Text("text") is { } note ? request with { Text = note } : null;
            case TriageAction.Severity:
                return Enum.TryParse<AlertSeverity>(Text("severity"), ignoreCase: true, out var severity) && Enum.IsDefined(severity) && !char.IsDigit(Text("severity")![0])
                    ? request with { Severity = severity }
                    : null;
            case TriageAction.Merge:
                if (!body.TryGetProperty("incidents", out var incidents) || incidents.ValueKind != JsonValueKind.Array)
                {
                    return null;
                }

                var sources = new List<(string, long)>();
                foreach (var source in incidents.EnumerateArray())
                {
                    if (source.ValueKind != JsonValueKind.Object
                        || !source.TryGetProperty("id", out var sourceId) || sourceId.ValueKind != JsonValueKind.String
                        || !source.TryGetProperty("version", out var sourceVersion) || !sourceVersion.TryGetInt64(out var seen))
                    {
                        return null;
                    }

                    sources.Add((sourceId.GetString()!, seen));
                }

                return request with { MergeFrom = sources };
            case TriageAction.Split:
                if (!body.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array
                    || alerts.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String))
                {
                    return null;
                }

                return request with { AlertIds = alerts.EnumerateArray().Select(a => a.GetString()!).ToList(), Text = Text("title") ?? "" };
            default:
                return request;
        }
    }

    private static string Expected(TriageAction action) => "Send {\"version\": <the incident version you saw>"
        + action switch
        {
            TriageAction.Assign => ", \"assignee\": \"<name, or empty to unassign>\"",
            TriageAction.Note => ", \"text\": \"<the note>\"",
            TriageAction.Severity => ", \"severity\": \"info|warning|critical\"",
            TriageAction.Merge => ", \"incidents\": [{\"id\": \"inc-N\", \"version\": <its version>}]",
            TriageAction.Split => ", \"alerts\": [\"<source:fingerprint>\"], \"title\": \"<optional>\"",
            _ => "",
        }
        + "}.";
}
