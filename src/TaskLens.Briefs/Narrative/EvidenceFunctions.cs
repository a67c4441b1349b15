using System.ComponentModel;
using System.Text.Json;
using Microsoft.SemanticKernel;
using TaskLens.Core.Briefs;

namespace TaskLens.Briefs.Narrative;

/// <summary>
/// The kernel functions the model may call while writing one narrative: read-only, scoped to the incident's tenant,
/// each answer bounded and added to the narrative's ledger. Template ids resolve against the brief's facts.
/// </summary>
internal sealed class EvidenceFunctions(EvidenceQueries queries, BriefFacts facts, EvidenceLedger ledger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public int Calls { get; private set; }

    [KernelFunction("get_incident")]
    [Description("The incident's alerts (ids, severity, status, first seen) and its current brief.")]
    public async Task<string> GetIncidentAsync(CancellationToken cancellationToken = default)
    {
        Calls++;
        return Serialize(await queries.IncidentAsync(facts.Tenant, facts.IncidentId, ledger, cancellationToken));
    }

    [KernelFunction("goal_series")]
    [Description("One goal's figures per step over the last minutes: runs started, completed, failed, completion rate, p95 duration, cost, tokens.")]
    public async Task<string> GoalSeriesAsync(
        [Description("The goal name, as in the facts.")] string goal,
        [Description("How many minutes back, 5 to 1440.")] int minutes = 120,
        CancellationToken cancellationToken = default)
    {
        Calls++;
        return Serialize(await queries.GoalSeriesAsync(facts.Tenant, goal, minutes, ledger, cancellationToken));
    }

    [KernelFunction("trace_summary")]
    [Description("A trace's summary: spans, services, errors, duration.")]
    public async Task<string> TraceSummaryAsync([Description("The 32-hex-digit trace or run id.")] string traceId, CancellationToken cancellationToken = default)
    {
        Calls++;
        return Serialize(await queries.TraceSummaryAsync(facts.Tenant, traceId, ledger, cancellationToken) ?? new { error = "unknown trace" });
    }

    [KernelFunction("template_logs")]
    [Description("Error log lines that fit one of the brief's error templates.")]
    public async Task<string> TemplateLogsAsync([Description("The template id from the facts, e.g. T1.")] string templateId, CancellationToken cancellationToken = default)
    {
        Calls++;
        if (facts.ErrorTemplates.FirstOrDefault(t => string.Equals(t.Id, templateId, StringComparison.OrdinalIgnoreCase)) is not { } template)
        {
            return Serialize(new { error = "unknown template id; the facts list them" });
        }

        var minutes = (int)Math.Ceiling((facts.LastSeen - template.FirstSeen).TotalMinutes) + 60;
        return Serialize(await queries.LogsOfTemplateAsync(facts.Tenant, template.Service, template.Template, minutes, ledger, cancellationToken));
    }

    private static string Serialize(object? value) => JsonSerializer.Serialize(value, Json);
}
