using System.Globalization;
using TaskLens.Core.Traces;

namespace TaskLens.Core.Goals;

/// <summary>A stored span's LLM tokens and cost, read from the same attributes the goal rollup reads (RunSpanReader).</summary>
public readonly record struct SpanUsage(long InputTokens, long OutputTokens, double Cost)
{
    public static SpanUsage Of(StoredSpan span, ModelPriceTable prices)
    {
        ArgumentNullException.ThrowIfNull(span);
        ArgumentNullException.ThrowIfNull(prices);
        string? model = null, requestModel = null;
        long input = 0, output = 0, cached = 0;
        foreach (var attribute in span.Attributes)
        {
            switch (attribute.Key)
            {
                case "gen_ai.response.model": model = attribute.Value; break;
                case "gen_ai.request.model" or "llm.model_name": requestModel = attribute.Value; break;
                case "gen_ai.usage.input_tokens" or "gen_ai.usage.prompt_tokens" or "llm.token_count.prompt": input = Integer(attribute.Value); break;
                case "gen_ai.usage.output_tokens" or "gen_ai.usage.completion_tokens" or "llm.token_count.completion": output = Integer(attribute.Value); break;
                case "gen_ai.usage.cache_read.input_tokens" or "gen_ai.usage.cache_read_input_tokens" or "llm.token_count.prompt_details.cache_read":
                    cached = Integer(attribute.Value); break;
            }
        }

        var cost = prices.TryFind(model ?? requestModel, out var price) ? price.CostOf(input, output, cached) : 0;
        return new SpanUsage(input, output, cost);
    }

    private static long Integer(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : 0;
}
