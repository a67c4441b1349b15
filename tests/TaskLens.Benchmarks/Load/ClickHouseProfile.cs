using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Where ClickHouse's CPU goes during a load phase (issue 20): the embedded server is given <c>query_log</c> and
/// <c>part_log</c> through <c>config.d</c>/<c>users.d</c> files beside the config TaskLens writes (the embedded server
/// has no system logs otherwise), then the phase's queries are grouped by kind with their CPU (the query's own
/// threads, materialized views included), and its merges by table. What the process spent beyond its queries is
/// background work: merges, and the system logs themselves. Only for <c>load-cpu ... profile</c>: the logs cost CPU.
/// </summary>
internal static partial class ClickHouseProfile
{
    /// <summary>Written before TaskLens starts its ClickHouse in <paramref name="dataPath"/>.</summary>
    public static void Enable(string dataPath)
    {
        Directory.CreateDirectory(Path.Combine(dataPath, "config.d"));
        Directory.CreateDirectory(Path.Combine(dataPath, "users.d"));
        File.WriteAllText(Path.Combine(dataPath, "config.d", "profile.xml"), """
            <?xml version="1.0"?>
            <yandex>
                <query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>2000</flush_interval_milliseconds></query_log>
                <part_log><database>system</database><table>part_log</table><flush_interval_milliseconds>2000</flush_interval_milliseconds></part_log>
            </yandex>
            """);
        File.WriteAllText(Path.Combine(dataPath, "users.d", "profile.xml"), """
            <?xml version="1.0"?>
            <yandex><profiles><default><log_queries>1</log_queries></default></profiles></yandex>
            """);
    }

    /// <summary>The breakdown of what ran from <paramref name="fromUnixSeconds"/> on (to <paramref name="toUnixSeconds"/>, if given), as Markdown tables.</summary>
    public static async Task<string> ReportAsync(ClickHouseClient clickHouse, long fromUnixSeconds, long spans, double clickHouseCpuSeconds, long? toUnixSeconds = null)
    {
        await clickHouse.ExecuteAsync("SYSTEM FLUSH LOGS", CancellationToken.None);
        var window = FormattableString.Invariant($"event_time >= toDateTime({fromUnixSeconds})")
            + (toUnixSeconds is { } to ? FormattableString.Invariant($" AND event_time <= toDateTime({to})") : "");
        var queries = await clickHouse.QueryAsync(
            $"""
            SELECT query AS q, toFloat64(arraySum(arrayFilter((v, n) -> n IN ('UserTimeMicroseconds', 'SystemTimeMicroseconds'), ProfileEvents.Values, ProfileEvents.Names))) AS cpu,
                   toFloat64(written_rows) AS w, toFloat64(read_rows) AS r, toFloat64(query_duration_ms) AS ms
            FROM system.query_log
            WHERE type = 2 AND {window} AND query NOT LIKE '%system.query_log%'
            """,
            r => (Query: r.GetString("q"), Cpu: r.GetDouble("cpu"), Written: r.GetDouble("w"), Read: r.GetDouble("r"), Ms: r.GetDouble("ms")),
            CancellationToken.None);
        var merges = await clickHouse.QueryAsync(
            $"""
            SELECT table AS t, toString(event_type) AS e, toFloat64(count()) AS n, toFloat64(sum(length(merged_from))) AS parts, toFloat64(sum(rows)) AS rows, toFloat64(sum(duration_ms)) AS ms
            FROM system.part_log WHERE {window} GROUP BY t, e ORDER BY ms DESC
            """,
            r => (Table: r.GetString("t"), Event: r.GetString("e"), Count: r.GetDouble("n"), Parts: r.GetDouble("parts"), Rows: r.GetDouble("rows"), Ms: r.GetDouble("ms")),
            CancellationToken.None);

        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"ClickHouse CPU in the phase: {clickHouseCpuSeconds:N1} s = {clickHouseCpuSeconds * 1e6 / spans:N2} µs per span ({spans:N0} spans).");
        text.AppendLine().AppendLine("| query kind | queries | CPU s | µs/span | rows written | rows read | wall s |").AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        var queryCpu = 0.0;
        foreach (var kind in queries.GroupBy(q => Kind(q.Query)).OrderByDescending(g => g.Sum(q => q.Cpu)))
        {
            var cpu = kind.Sum(q => q.Cpu) / 1e6;
            queryCpu += cpu;
            text.AppendLine(inv, $"| {kind.Key} | {kind.Count():N0} | {cpu:N2} | {cpu * 1e6 / spans:N2} | {kind.Sum(q => q.Written):N0} | {kind.Sum(q => q.Read):N0} | {kind.Sum(q => q.Ms) / 1000:N1} |");
        }

        text.AppendLine(inv, $"| not in a query (merges, system logs, background) | | {clickHouseCpuSeconds - queryCpu:N2} | {(clickHouseCpuSeconds - queryCpu) * 1e6 / spans:N2} | | | |");
        text.AppendLine().AppendLine("| table | part event | events | parts merged | rows | wall s |").AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var m in merges)
        {
            text.AppendLine(inv, $"| {m.Table} | {m.Event} | {m.Count:N0} | {m.Parts:N0} | {m.Rows:N0} | {m.Ms / 1000:N1} |");
        }

        return text.ToString();
    }

    /// <summary>A query's text with literals taken out, cut short: queries of one kind group together.</summary>
    private static string Kind(string query)
    {
        var kind = Lists().Replace(Literals().Replace(Whitespace().Replace(query, " "), "?"), "?…");
        return kind.Length > 110 ? kind[..110].Replace("|", "\\|", StringComparison.Ordinal) + "…" : kind.Replace("|", "\\|", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"'(?:[^'\\]|\\.)*'|\b\d+\b")]
    private static partial Regex Literals();

    [GeneratedRegex(@"(?:unhex\(\?\)|\?)(?:, (?:unhex\(\?\)|\?))+")]
    private static partial Regex Lists();
}
