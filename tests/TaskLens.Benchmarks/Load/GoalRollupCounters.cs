using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// The server's goal rollup counters, scraped from <c>/metrics</c> (open mode): runs finalized early because a memory
/// limit was reached (issue 20: none at the sustained rate with the default quiet period) and spans held.
/// </summary>
internal sealed record GoalRollupCounters(long RunsFinalizedEarly, long SpansInMemory, long RunsInMemory)
{
    public static async Task<GoalRollupCounters> ReadAsync(HttpClient http, int apiPort)
    {
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{apiPort}/metrics"));
        return new GoalRollupCounters(
            Sample(text, "tasklens_goals_runs_finalized_early_total"), Sample(text, "tasklens_goals_spans_in_memory"), Sample(text, "tasklens_goals_runs_in_memory"));
    }

    /// <summary>The first sample of <paramref name="name"/> (no labels), -1 when the scrape has none.</summary>
    private static long Sample(string text, string name)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is ' ' or '{')
            {
                // name{labels} value [timestamp]
                var after = line[name.Length] == '{' ? line.IndexOf('}', StringComparison.Ordinal) + 1 : name.Length;
                var value = line[after..].Trim().Split(' ')[0];
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                {
                    return (long)parsed;
                }
            }
        }

        return -1;
    }
}
