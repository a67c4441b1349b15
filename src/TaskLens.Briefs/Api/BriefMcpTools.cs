using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol.Server;
using TaskLens.Briefs.Narrative;
using TaskLens.Core.Access;

namespace TaskLens.Briefs.Api;

/// <summary>
/// The MCP tools at <c>/mcp</c>: the same read-only evidence functions the narrative model gets, for an AI SRE agent
/// investigating through TaskLens, for the caller's tenant (the signed-in user or API key). Nothing here changes anything. Fields named <c>untrusted*</c> carry text from the
/// monitored systems.
/// </summary>
[McpServerToolType]
internal sealed class BriefMcpTools(EvidenceQueries queries, ICurrentActor actor)
{
    private static readonly JsonSerializerOptions Json = BriefJson.Options;

    [McpServerTool(Name = "list_incidents", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Incidents of the last 7 days, newest first: id, title, status, severity, goals, services, alert counts.")]
    public async Task<string> ListIncidentsAsync(
        [Description("triggered, acknowledged, resolved or merged; empty for all")] string? status = null,
        [Description("at most this many, 1 to 100")] int limit = 20,
        CancellationToken cancellationToken = default) =>
        JsonSerializer.Serialize(await queries.IncidentsAsync(actor.Tenant, status, limit, cancellationToken), Json);

    [McpServerTool(Name = "get_incident", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("One incident with its alerts and its brief (facts: impact, error templates, likely origin, next steps; narrative).")]
    public async Task<string> GetIncidentAsync([Description("the incident id, e.g. inc-12")] string id, CancellationToken cancellationToken = default) =>
        JsonSerializer.Serialize(await queries.IncidentAsync(actor.Tenant, id, null, cancellationToken) ?? new { error = $"no incident '{id}'" }, Json);

    [McpServerTool(Name = "goal_series", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("One goal's figures per step: runs started, completed, failed, completion rate, p95 duration, cost, tokens, fan-out, throttled.")]
    public async Task<string> GoalSeriesAsync(
        [Description("the goal name")] string goal,
        [Description("how many minutes back, 5 to 1440")] int minutes = 120,
        CancellationToken cancellationToken = default) =>
        JsonSerializer.Serialize(await queries.GoalSeriesAsync(actor.Tenant, goal, minutes, null, cancellationToken), Json);

    [McpServerTool(Name = "trace_summary", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("A trace's (or goal run's) summary: spans and errors per service, duration, the error spans.")]
    public async Task<string> TraceSummaryAsync([Description("the 32-hex-digit trace or run id")] string traceId, CancellationToken cancellationToken = default) =>
        JsonSerializer.Serialize(await queries.TraceSummaryAsync(actor.Tenant, traceId, null, cancellationToken) ?? new { error = "unknown trace" }, Json);

    [McpServerTool(Name = "search_logs_by_template", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Error log lines of a service that fit an error template (as a brief lists them; <*> matches any word part).")]
    public async Task<string> SearchLogsByTemplateAsync(
        [Description("the service name")] string service,
        [Description("the template, e.g. 'connection to <*> refused'")] string template,
        [Description("how many minutes back, 1 to 1440")] int minutes = 60,
        CancellationToken cancellationToken = default) =>
        JsonSerializer.Serialize(await queries.LogsOfTemplateAsync(actor.Tenant, service, template, minutes, null, cancellationToken), Json);
}
