using TaskLens.Core;
using TaskLens.Core.Traces;

namespace TaskLens.Server.Api;

/// <summary>
/// RED figures for every span, per service operation: rate, errors and duration quantiles, over a window or per step.
/// Times are RFC 3339 or unix milliseconds; the window defaults to the last hour.
/// </summary>
internal static class OperationApi
{
    public static RouteGroupBuilder MapOperationApi(this RouteGroupBuilder api)
    {
        api.MapGet("/services/{service}/operations", GetOperationsAsync);
        api.MapGet("/services/{service}/series", GetSeriesAsync);
        return api;
    }

    /// <summary><c>GET /api/services/{service}/operations?from&amp;to</c>: each operation over the window, busiest first.</summary>
    private static async Task<IResult> GetOperationsAsync(string service, HttpContext context, IOperationReader reader, CancellationToken cancellationToken)
    {
        if (!ApiQuery.TryWindow(context, out var from, out var to, out var problem))
        {
            return problem!;
        }

        var operations = await reader.OperationsAsync(context.User.Tenant(), service, from, to, cancellationToken);
        return Results.Json(new { service, from, to, operations = operations.Select(Json) });
    }

    /// <summary><c>GET /api/services/{service}/series?operation&amp;from&amp;to&amp;step</c>: one operation, or the whole service.</summary>
    private static async Task<IResult> GetSeriesAsync(string service, HttpContext context, IOperationReader reader, CancellationToken cancellationToken)
    {
        if (!ApiQuery.TryWindow(context, out var from, out var to, out var problem))
        {
            return problem!;
        }

        if (!ApiQuery.TryStep(context.Request.Query["step"], from, to, out var step, out problem))
        {
            return problem!;
        }

        var operation = ApiQuery.NullIfEmpty(context.Request.Query["operation"]);
        var points = await reader.SeriesAsync(context.User.Tenant(), service, operation, from, to, step, cancellationToken);
        return Results.Json(new { service, operation, stepSeconds = (long)step.TotalSeconds, points = points.Select(Json) });
    }

    private static object Json(OperationFigures f) => new
    {
        operation = f.Operation.Length == 0 ? null : f.Operation,
        time = f.Time,
        spans = f.Spans,
        ratePerSecond = f.RatePerSecond,
        errors = f.Errors,
        errorRate = f.ErrorRate,
        durationMs = new { p50 = f.DurationP50Ms, p95 = f.DurationP95Ms, p99 = f.DurationP99Ms },
    };
}
