using System.Diagnostics.Metrics;
using TaskLens.Core;
using TaskLens.Core.Briefs;

namespace TaskLens.Briefs;

/// <summary>
/// The model's use for <c>/metrics</c> (the <see cref="MeterName"/> meter): narratives written by outcome, tokens in
/// and out and their cost (from the model price table), by model.
/// </summary>
internal sealed class BriefsMetrics : ISelfMetrics
{
    public const string MeterName = "TaskLens.Briefs";

    private readonly Counter<long> _narratives;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;

    public BriefsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _narratives = meter.CreateCounter<long>("tasklens.llm.narratives", "{narrative}", "Narratives the model was asked for, by status: accepted, rejected, failed");
        _tokens = meter.CreateCounter<long>("tasklens.llm.tokens", "{token}", "Tokens the model read (input) and wrote (output), by model");
        _cost = meter.CreateCounter<double>("tasklens.llm.cost", "USD", "What those tokens cost by the model price table, by model (unpriced models add nothing)");
    }

    public void Written(NarrativeState narrative)
    {
        ArgumentNullException.ThrowIfNull(narrative);
        if (narrative.Status == "not-configured")
        {
            return; // no model: nothing was asked
        }

        var model = new KeyValuePair<string, object?>("model", narrative.Model);
        _narratives.Add(1, new KeyValuePair<string, object?>("status", narrative.Status));
        _tokens.Add(narrative.InputTokens, model, new KeyValuePair<string, object?>("direction", "input"));
        _tokens.Add(narrative.OutputTokens, model, new KeyValuePair<string, object?>("direction", "output"));
        if (narrative.Cost is { } cost)
        {
            _cost.Add(cost, model);
        }
    }
}
