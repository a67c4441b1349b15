namespace TaskLens.Benchmarks.Load;

/// <summary>
/// The server's goal rollup counters, scraped from <c>/metrics</c> (open mode): runs finalized early because a memory
/// limit was reached (issue 20: none at the sustained rate with the default quiet period) and spans held.
/// </summary>
internal sealed record GoalRollupCounters(long RunsFinalizedEarly, long SpansInMemory, long RunsInMemory)
{
    public static async Task<GoalRollupCounters> ReadAsync(HttpClient http, int apiPort)
    {
        var samples = await PrometheusText.ScrapeAsync(http, apiPort);
        return new GoalRollupCounters(
            Sample(samples, "tasklens_goals_runs_finalized_early_total"), Sample(samples, "tasklens_goals_spans_in_memory"), Sample(samples, "tasklens_goals_runs_in_memory"));
    }

    /// <summary>The first sample of <paramref name="name"/> (whatever its labels), -1 when the scrape has none.</summary>
    private static long Sample(IReadOnlyList<PrometheusSample> samples, string name) =>
        samples.FirstOrDefault(s => s.Name == name) is { } sample ? (long)sample.Value : -1;
}
