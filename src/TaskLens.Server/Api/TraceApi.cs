using System.Text.Encodings.Web;
using System.Text.Json;
using TaskLens.Core;
using TaskLens.Core.Traces;

namespace TaskLens.Server.Api;

/// <summary>The read API for traces and services on the API port.</summary>
internal static class TraceApi
{
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

        var spans = await reader.GetTraceAsync(Tenants.Default, id, cancellationToken);
        if (spans.Count == 0)
        {
            return Results.Problem(title: "Trace not found", detail: $"No spans of trace {id} are stored.", statusCode: StatusCodes.Status404NotFound);
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        // Relaxed escaping: the body is JSON for API clients, not HTML, and '+' in base64 should stay '+'.
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        TraceJson.WriteTrace(json, id.ToString(), spans);
        await json.FlushAsync(cancellationToken);
        return Results.Empty;
    }

    private static async Task<IResult> GetServicesAsync(ITraceReader reader, CancellationToken cancellationToken)
    {
        var services = await reader.GetServicesAsync(Tenants.Default, cancellationToken);
        return Results.Json(new
        {
            services = services.Select(s => new { name = s.Name, spanCount = s.SpanCount, lastSeen = s.LastSeen }),
        });
    }
}
