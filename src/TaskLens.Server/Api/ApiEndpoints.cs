using TaskLens.Server.Access;
using TaskLens.Briefs.Api;
using TaskLens.Server.AlertIntake;
namespace TaskLens.Server.Api;

internal static class ApiEndpoints
{
    /// <summary>Maps the REST API; it answers only on the API port, never on the OTLP ports.</summary>
    public static WebApplication MapTaskLensApi(this WebApplication app, int apiPort)
    {
        var onApiPort = app.MapGroup(string.Empty).AddEndpointFilter(async (context, next) =>
            context.HttpContext.Connection.LocalPort == apiPort ? await next(context) : Results.NotFound());
        onApiPort.MapGroup("/api").AddEndpointFilter<ApiAntiforgeryFilter>().MapAccessApi().MapTraceApi().MapTelemetryApi().MapGoalApi().MapOperationApi().MapFindingApi().MapAlertIntake().MapIncidentApi().MapIngestApi();
        // The brief routes and /mcp sit beside the REST API under the same authorization (the fallback policy) and, for
        // cookie-signed writes, the same antiforgery check.
        onApiPort.MapGroup("").AddEndpointFilter<ApiAntiforgeryFilter>().MapTaskLensBriefs();
        return app;
    }
}
