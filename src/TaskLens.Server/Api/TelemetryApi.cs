using System.Security.Claims;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using TaskLens.Core.Logs;
using TaskLens.Core.Metrics;
using TaskLens.Core.Traces;

namespace TaskLens.Server.Api;

/// <summary>
/// The read API for logs and metric points on the API port. Times are RFC 3339 or unix milliseconds; the window
/// defaults to the last hour.
/// </summary>
internal static class TelemetryApi
{
    private static readonly Dictionary<string, int> SeverityNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["trace"] = 1, ["debug"] = 5, ["info"] = 9, ["warn"] = 13, ["warning"] = 13, ["error"] = 17, ["fatal"] = 21,
    };

    public static RouteGroupBuilder MapTelemetryApi(this RouteGroupBuilder api)
    {
        api.MapGet("/logs", GetLogsAsync);
        api.MapGet("/metrics", GetMetricsAsync);
        api.MapGet("/metrics/{name}/points", GetPointsAsync);
        return api;
    }

    /// <summary><c>GET /api/logs?from&amp;to&amp;service&amp;traceId&amp;severity&amp;q&amp;limit</c>, newest first.</summary>
    private static async Task<IResult> GetLogsAsync(HttpContext context, ILogReader reader, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        if (!ApiQuery.TryWindow(context, out var from, out var to, out var problem) || !ApiQuery.TryLimit(query["limit"], 100, LogQuery.MaxLimit, out var limit, ref problem))
        {
            return problem!;
        }

        TraceId? traceId = null;
        if (query["traceId"].ToString() is { Length: > 0 } traceText)
        {
            if (!TraceId.TryParse(traceText, out var parsed) || parsed == default)
            {
                return ApiQuery.BadRequest("Invalid trace id", "A trace id is 32 hexadecimal digits and not all zero.");
            }

            traceId = parsed;
        }

        int? severity = null;
        if (query["severity"].ToString() is { Length: > 0 } severityText)
        {
            if (SeverityNames.TryGetValue(severityText, out var named))
            {
                severity = named;
            }
            else if (int.TryParse(severityText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= 24)
            {
                severity = number;
            }
            else
            {
                return ApiQuery.BadRequest("Invalid severity", "severity is a SeverityNumber (1-24) or one of trace, debug, info, warn, error, fatal; records at or above it are returned.");
            }
        }

        var logs = await reader.QueryAsync(
            new LogQuery(context.User.Tenant(), from, to)
            {
                Service = ApiQuery.NullIfEmpty(query["service"]),
                TraceId = traceId,
                MinSeverity = severity,
                Text = ApiQuery.NullIfEmpty(query["q"]),
                Limit = limit,
            },
            cancellationToken);
        await ApiQuery.WriteJsonAsync(context, json => TelemetryJson.WriteLogs(json, logs), cancellationToken);
        return Results.Empty;
    }

    /// <summary><c>GET /api/metrics</c>: every metric name with its type and unit.</summary>
    private static async Task<IResult> GetMetricsAsync(IMetricReader reader, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var metrics = await reader.ListMetricsAsync(user.Tenant(), cancellationToken);
        return Results.Json(new { metrics = metrics.Select(m => new { name = m.Name, type = TelemetryJson.TypeName(m.Type), unit = m.Unit }) });
    }

    /// <summary>
    /// <c>GET /api/metrics/{name}/points?from&amp;to&amp;service&amp;limit&amp;attr.KEY=VALUE</c>: the metric's points in
    /// the window whose attributes match every <c>attr.</c> filter, oldest first.
    /// </summary>
    private static async Task<IResult> GetPointsAsync(string name, HttpContext context, IMetricReader reader, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        if (!ApiQuery.TryWindow(context, out var from, out var to, out var problem) || !ApiQuery.TryLimit(query["limit"], 1000, MetricQuery.MaxLimit, out var limit, ref problem))
        {
            return problem!;
        }

        var attributes = query
            .Where(q => q.Key.StartsWith("attr.", StringComparison.Ordinal) && q.Key.Length > 5)
            .ToDictionary(q => q.Key[5..], q => q.Value.ToString(), StringComparer.Ordinal);
        var points = await reader.QueryPointsAsync(
            new MetricQuery(context.User.Tenant(), name, from, to) { Service = ApiQuery.NullIfEmpty(query["service"]), Attributes = attributes, Limit = limit },
            cancellationToken);
        await ApiQuery.WriteJsonAsync(context, json => TelemetryJson.WritePoints(json, name, points), cancellationToken);
        return Results.Empty;
    }
}
