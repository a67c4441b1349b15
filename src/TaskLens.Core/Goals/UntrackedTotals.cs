namespace TaskLens.Core.Goals;

/// <summary>What a run still counts of the spans it no longer holds one by one (past <see cref="GoalOptions.MaxSpansPerRun"/>).</summary>
internal sealed class UntrackedTotals
{
    /// <summary>No spans past the limit (most runs); never added to.</summary>
    public static readonly UntrackedTotals None = new();

    public int[] ByKind { get; } = new int[5];
    public long InputTokens { get; private set; }
    public long OutputTokens { get; private set; }
    public long CachedTokens { get; private set; }
    public double Cost { get; private set; }
    public int PricedCalls { get; private set; }
    public int UnpricedCalls { get; private set; }
    public int Errors { get; private set; }
    public int Throttled { get; private set; }
    public int Retries { get; private set; }

    public void Add(in RunSpan span, ModelPriceTable prices)
    {
        ByKind[(int)span.Kind]++;
        Errors += span.IsError ? 1 : 0;
        Throttled += span.Throttled ? 1 : 0;
        Retries += span.MarkedRetry ? 1 : 0;
        if (span.Kind != SubTaskKind.Llm)
        {
            return;
        }

        InputTokens += span.InputTokens;
        OutputTokens += span.OutputTokens;
        CachedTokens += span.CachedTokens;
        if (span.InputTokens + span.OutputTokens == 0)
        {
            return;
        }

        if (prices.TryFind(span.Model, out var price))
        {
            Cost += price.CostOf(span.InputTokens, span.OutputTokens, span.CachedTokens);
            PricedCalls++;
        }
        else
        {
            UnpricedCalls++;
        }
    }
}
