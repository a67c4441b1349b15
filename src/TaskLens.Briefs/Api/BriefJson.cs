using System.Text.Json;
using System.Text.Json.Serialization;
using TaskLens.Core.Briefs;

namespace TaskLens.Briefs.Api;

/// <summary>The JSON shape of a brief: facts, narrative, version, model, tokens, cost, when, and why a narrative was rejected.</summary>
internal static class BriefJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static object Of(IncidentBrief brief) => new
    {
        incidentId = brief.Facts.IncidentId,
        version = brief.Version,
        generatedAt = brief.GeneratedAt,
        factsHash = brief.FactsHash,
        summary = brief.Summary,
        facts = brief.Facts,
        narrative = new
        {
            status = brief.Narrative.Status,
            text = brief.Narrative.Text.Length == 0 ? null : brief.Narrative.Text,
            model = brief.Narrative.Model.Length == 0 ? null : brief.Narrative.Model,
            inputTokens = brief.Narrative.InputTokens,
            outputTokens = brief.Narrative.OutputTokens,
            cost = brief.Narrative.Cost,
            modelCalls = brief.Narrative.ModelCalls,
            functionCalls = brief.Narrative.FunctionCalls,
            factsHash = brief.Narrative.FactsHash.Length == 0 ? null : brief.Narrative.FactsHash,
            generatedAt = brief.Narrative.GeneratedAt,
            reason = brief.Narrative.Reason.Length == 0 ? null : brief.Narrative.Reason,
        },
        rejected = brief.Narrative.Status == "rejected" ? brief.Narrative.Reason : null,
        links = new { incident = $"/api/incidents/{brief.Facts.IncidentId}", regenerate = $"/api/incidents/{brief.Facts.IncidentId}/brief/regenerate" },
    };
}
