using System.Globalization;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Benchmarks.Dashboard;

/// <summary>
/// Stored data for the dashboard run, made by ClickHouse itself (INSERT … SELECT FROM numbers()) in about a minute:
/// 100,000 goal runs of 20 goals over the last day, each a trace of 100 spans (10 million spans), and one run of
/// 5,000 sub-tasks. Ids are unhex of 16 hex digits of 2^60 + n, so every id has its full width.
/// </summary>
internal static class DashboardData
{
    public const int Runs = 100_000;
    public const int SpansPerRun = 100;
    public const int BigRunSubTasks = 5_000;
    private const long Offset = 1L << 60;
    private const long BigTrace = 999_999_999;

    public static string RunId(long trace) => (Offset + trace).ToString("x16", CultureInfo.InvariantCulture) + (Offset + trace).ToString("x16", CultureInfo.InvariantCulture);

    public static string BigRunId => RunId(BigTrace);

    public static async Task FillAsync(ClickHouseClient clickHouse, long nowSeconds)
    {
        // Spans in chunks, so each insert (and the views it feeds) stays within memory on a small machine.
        const long chunk = 2_000_000;
        for (long first = 0; first < (long)Runs * SpansPerRun; first += chunk)
        {
            await clickHouse.ExecuteAsync(Spans($"numbers({first}, {chunk})", $"intDiv(number, {SpansPerRun})", $"number % {SpansPerRun}", nowSeconds), CancellationToken.None);
        }

        await clickHouse.ExecuteAsync(Spans($"numbers({BigRunSubTasks + 1})", BigTrace.ToString(CultureInfo.InvariantCulture), "number", nowSeconds - 300), CancellationToken.None);
        await clickHouse.ExecuteAsync(GoalRuns($"numbers({Runs})", "number", nowSeconds, SpansPerRun), CancellationToken.None);
        await clickHouse.ExecuteAsync(GoalRuns("numbers(1)", BigTrace.ToString(CultureInfo.InvariantCulture), nowSeconds - 300, BigRunSubTasks + 1), CancellationToken.None);
    }

    /// <summary>Span k of trace t: k = 0 is the goal span; the others are its children in six operations, every 40th failing.</summary>
    private static string Spans(string source, string trace, string k, long nowSeconds) => string.Create(CultureInfo.InvariantCulture, $"""
        INSERT INTO spans (tenant, timestamp, service_name, name, trace_id, span_id, parent_span_id, kind,
                           start_time_unix_nano, end_time_unix_nano, duration_ns, status_code, status_message)
        SELECT 'default', toDateTime(start_s), if(k = 0, 'bench-agent', concat('tool-', toString(k % 3))),
               if(k = 0, 'invoke_agent', arrayElement(['chat gpt-4o', 'execute_tool search', 'execute_tool fetch', 'SELECT memories', 'GET', 'chat gpt-4o-mini'], k % 6 + 1)),
               toFixedString(unhex(concat(hex(toUInt64({Offset} + t)), hex(toUInt64({Offset} + t)))), 16),
               toFixedString(unhex(hex(toUInt64({Offset} + t * 10000 + k))), 8),
               if(k = 0, toFixedString('', 8), toFixedString(unhex(hex(toUInt64({Offset} + t * 10000))), 8)),
               if(k = 0, 2, 3),
               start_s * 1000000000 + k * 1000000, start_s * 1000000000 + k * 1000000 + dur, dur,
               if(k % 40 = 39, 2, 0), if(k % 40 = 39, 'tool failed', '')
        FROM (SELECT {trace} AS t, {k} AS k, {nowSeconds} - (t * 7919) % 86400 AS start_s, 1000000 + (k * 7) % 50 * 1000000 AS dur FROM {source})
        """);

    private static string GoalRuns(string source, string trace, long nowSeconds, int spans) => string.Create(CultureInfo.InvariantCulture, $"""
        INSERT INTO goal_runs (tenant, goal_name, run_id, rule, goal_span_id, service_name, outcome, started, ended,
                               start_time_unix_nano, end_time_unix_nano, duration_ns, llm_calls, tool_calls, db_calls, http_calls,
                               other_sub_tasks, fan_out, depth, input_tokens, output_tokens, cached_tokens, cost, unpriced_calls,
                               errors, first_error, throttled, retries, critical_path_ns, version, finalized_at)
        SELECT 'default', concat('goal-', toString(t % 20)), lower(concat(hex(toUInt64({Offset} + t)), hex(toUInt64({Offset} + t)))), 3,
               toFixedString(unhex(hex(toUInt64({Offset} + t * 10000))), 8), 'bench-agent', if(t % 10 = 0, 2, 1),
               toDateTime(start_s), toDateTime(start_s + 1), start_s * 1000000000, start_s * 1000000000 + 900000000, 900000000,
               {spans / 3}, {spans / 3}, {spans / 6}, {spans / 6}, 0, {spans - 1}, 1, 20000, 4000, 1000, 0.05, 0,
               if(t % 10 = 0, 2, 0), if(t % 10 = 0, 'tool failed', ''), 1, 0, 800000000, {spans}, now()
        FROM (SELECT {trace} AS t, {nowSeconds} - (t * 7919) % 86400 AS start_s FROM {source})
        """);
}
