using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using TaskLens.Core;
using TaskLens.Core.Access;

namespace TaskLens.Server.SelfObservability;

/// <summary>
/// TaskLens watching itself: <c>/metrics</c> in Prometheus's text format from every <c>TaskLens.*</c> meter (each project
/// owns its instruments, <see cref="ISelfMetrics"/>) and the runtime's own <c>System.Runtime</c> meter (GC collections
/// and pause time, thread pool queue, CPU: an export's slow acknowledgement can be a GC pause), through OpenTelemetry's Prometheus exporter; <c>/healthz</c> (the
/// process answers) and <c>/readyz</c> (ClickHouse and the state store answer, the spool takes writes: the checks tagged
/// <c>ready</c> that storage and ingest register).
/// </summary>
internal static class SelfObservabilityExtensions
{
    private const string ReadyTag = "ready";

    public static WebApplicationBuilder AddTaskLensSelfObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter("TaskLens.*", "System.Runtime").AddPrometheusExporter());
        return builder;
    }

    public static WebApplication MapTaskLensSelfObservability(this WebApplication app)
    {
        // Every holder of instruments is created once the host has started, so the first scrape lists them all.
        app.Lifetime.ApplicationStarted.Register(() => _ = app.Services.GetServices<ISelfMetrics>().ToList());

        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteReadinessAsync })
            .AllowAnonymous();

        // The door is checked in the scrape's own pipeline (MetricsAccess), so it is anonymous to the fallback policy.
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(MetricsAccess.CheckAsync), optionsName: null)
            .AllowAnonymous();
        return app;
    }

    /// <summary>Each check's status and a short description; never an exception's text (it may name hosts or paths).</summary>
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status == HealthStatus.Healthy ? "ready" : "not ready",
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description }),
        }, cancellationToken: context.RequestAborted);
    }

    /// <summary>
    /// Who may scrape: anyone in open mode (loopback only); otherwise the bearer of <c>TaskLens:Server:MetricsToken</c>
    /// (what Prometheus sends with <c>authorization: credentials_file</c>) or a signed-in admin. Metrics add up every
    /// tenant, so a tenant's read key is not enough.
    /// </summary>
    private static class MetricsAccess
    {
        public static async Task CheckAsync(HttpContext context, RequestDelegate next)
        {
            var mode = context.RequestServices.GetRequiredService<AccessMode>();
            var token = context.RequestServices.GetRequiredService<IOptions<ServerOptions>>().Value.MetricsToken;
            if (mode.OpenMode || BearerMatches(context, token) || AccessPrincipal.Has(context.User, AccessRights.Admin))
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = context.User.Identity?.IsAuthenticated == true ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.Response.WriteAsync("/metrics needs TaskLens:Server:MetricsToken as a bearer token, or an admin's sign-in.", context.RequestAborted);
        }

        private static bool BearerMatches(HttpContext context, string? token)
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (token is not { Length: > 0 } || !header.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return false;
            }

            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()), Encoding.UTF8.GetBytes(token));
        }
    }
}
