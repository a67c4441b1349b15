using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// The server's goal rollup counters, scraped from <c>/metrics</c> (open mode): runs finalized early because a memory
/// limit was reached (issue 20: none at the sustained rate with the default quiet period), spans held, late spans (of
/// runs still held, of runs let go) and traces reloaded from storage by why (asked: a late span or a run without its
/// goal span; stored elsewhere; at start).
/// </summary>
internal sealed record GoalRollupCounters(
    long RunsFinalizedEarly, long SpansInMemory, long RunsInMemory, long LateSpansHeld, long LateSpansLetGo, long ReloadsAsked, long ReloadsStoredElsewhere, long ReloadsAtStart)
{
    public static async Task<GoalRollupCounters> ReadAsync(HttpClient http, int apiPort)
    {
        var samples = await PrometheusText.ScrapeAsync(http, apiPort);
        return new GoalRollupCounters(
            Sample(samples, "tasklens_goals_runs_finalized_early_total"), Sample(samples, "tasklens_goals_spans_in_memory"), Sample(samples, "tasklens_goals_runs_in_memory"),
            Sample(samples, "tasklens_goals_late_spans_total", ("run", "held")), Sample(samples, "tasklens_goals_late_spans_total", ("run", "let_go")),
            Sample(samples, "tasklens_goals_runs_reloaded_total", ("reason", "asked")), Sample(samples, "tasklens_goals_runs_reloaded_total", ("reason", "stored_elsewhere")),
            Sample(samples, "tasklens_goals_runs_reloaded_total", ("reason", "at_start")));
    }

    /// <summary>The late spans and reloads between <paramref name="before"/> and these counters, in one sentence.</summary>
    public string DescribeLateSince(GoalRollupCounters before) => string.Create(CultureInfo.InvariantCulture,
        $"late spans {LateSpansHeld - before.LateSpansHeld:N0} of runs held, {LateSpansLetGo - before.LateSpansLetGo:N0} of runs let go; traces reloaded: {ReloadsAsked - before.ReloadsAsked:N0} asked (a late span, or a run still without its goal span), {ReloadsStoredElsewhere - before.ReloadsStoredElsewhere:N0} stored elsewhere, {ReloadsAtStart - before.ReloadsAtStart:N0} at start");

    /// <summary>The first sample of <paramref name="name"/> (with <paramref name="label"/> if given), -1 when the scrape has none.</summary>
    private static long Sample(IReadOnlyList<PrometheusSample> samples, string name, (string Name, string Value)? label = null) =>
        samples.FirstOrDefault(s => s.Name == name && (label is not { } l || s.Label(l.Name) == l.Value)) is { } sample ? (long)sample.Value : -1;
}
