using System.Globalization;
using TaskLens.Core.Goals;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Goals;

/// <summary>
/// Reads the goal_runs table with FINAL, so each run counts once, at its latest finalization. Figures are
/// aggregated at query time rather than by a materialized view: a run finalized again (late spans) replaces its
/// earlier row, which an insert-time aggregate would count twice. Quantiles are exact.
/// </summary>
internal sealed class GoalReader(ClickHouseClient client) : IGoalReader
{
    /// <summary>Aliases carry an <c>f_</c> prefix: ClickHouse aliases are visible in WHERE, so none may shadow a column.</summary>
    internal const string Figures = """
        countIf(outcome = 1) AS f_completed, countIf(outcome = 2) AS f_failed, countIf(outcome = 3) AS f_abandoned,
        quantilesExact(0.5, 0.95, 0.99)(duration_ns) AS f_duration_q,
        sum(input_tokens) AS f_input_tokens, sum(output_tokens) AS f_output_tokens, sum(cached_tokens) AS f_cached_tokens,
        sum(ifNull(cost, 0)) AS f_cost, sum(unpriced_calls) AS f_unpriced_calls,
        quantilesExact(0.5, 0.99)(fan_out) AS f_fan_out_q, sum(throttled) AS f_throttled
        """;

    private const string RunColumns = """
        tenant, goal_name, run_id, rule, lower(hex(goal_span_id)) AS goal_span_id_hex, service_name, outcome,
        start_time_unix_nano, end_time_unix_nano, llm_calls, tool_calls, db_calls, http_calls, other_sub_tasks,
        fan_out, depth, input_tokens, output_tokens, cached_tokens, isNull(cost) AS cost_is_null, ifNull(cost, 0) AS cost_value,
        unpriced_calls, errors, first_error, lower(hex(first_error_span_id)) AS first_error_span_id_hex, throttled, retries,
        critical_path_ns, arrayMap(id -> lower(hex(id)), critical_path_span_ids) AS critical_path_hex, spans_not_tracked, version
        """;

    public async Task<IReadOnlyList<GoalFigures>> ListGoalsAsync(string tenant, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var ended = await client.QueryAsync(
            $"SELECT goal_name, {Figures} FROM goal_runs FINAL WHERE {Where(tenant, null, "ended", since, until)} GROUP BY goal_name ORDER BY goal_name",
            row => ReadFigures(row, since),
            cancellationToken);
        var started = await StartedAsync(null, tenant, null, since, until, cancellationToken);
        return ended.Select(f => f with { Started = started.GetValueOrDefault((f.GoalName, 0)) }).ToList();
    }

    public async Task<IReadOnlyList<GoalFigures>> SeriesAsync(
        string tenant, string goalName, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken)
    {
        var seconds = ClickHouseSql.BucketSeconds(bucket);
        var ended = await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture, $"""
                SELECT goal_name, intDiv(toUInt32(ended), {seconds}) * {seconds} AS f_bucket, {Figures}
                FROM goal_runs FINAL WHERE {Where(tenant, goalName, "ended", since, until)}
                GROUP BY goal_name, f_bucket ORDER BY f_bucket
                """),
            row => ReadFigures(row, DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("f_bucket"))),
            cancellationToken);
        var started = await StartedAsync(
            string.Create(CultureInfo.InvariantCulture, $"intDiv(toUInt32(started), {seconds}) * {seconds}"), tenant, goalName, since, until, cancellationToken);
        var byBucket = ended.ToDictionary(f => f.Time.ToUnixTimeSeconds());
        foreach (var ((_, time), count) in started)
        {
            byBucket[time] = byBucket.TryGetValue(time, out var figures)
                ? figures with { Started = count }
                : new GoalFigures { GoalName = goalName, Time = DateTimeOffset.FromUnixTimeSeconds(time), Started = count };
        }

        return byBucket.Values.OrderBy(f => f.Time).ToList();
    }

    public async Task<IReadOnlyList<GoalRun>> RunsAsync(GoalRunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var outcome = query.Outcome is { } o ? string.Create(CultureInfo.InvariantCulture, $" AND outcome = {(int)o}") : "";
        return await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture, $"""
                SELECT {RunColumns} FROM goal_runs FINAL
                WHERE {Where(query.Tenant, query.GoalName, "ended", query.From, query.To)}{outcome}
                ORDER BY end_time_unix_nano DESC, run_id
                LIMIT {Math.Max(0, query.Offset)}, {Math.Clamp(query.Limit, 1, 1_000)}
                """),
            ReadRun,
            cancellationToken);
    }

    public async Task<GoalRun?> RunAsync(string tenant, string runId, CancellationToken cancellationToken)
    {
        var runs = await client.QueryAsync(
            $"SELECT {RunColumns} FROM goal_runs FINAL WHERE tenant = {ClickHouseSql.Literal(tenant)} AND run_id = {ClickHouseSql.Literal(runId)}",
            ReadRun,
            cancellationToken);
        return runs.Count == 0 ? null : runs[0];
    }

    public async Task<IReadOnlySet<string>> StoredRunIdsAsync(string tenant, IReadOnlyCollection<string> runIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        if (runIds.Count == 0)
        {
            return new HashSet<string>();
        }

        var ids = await client.QueryAsync(
            $"SELECT DISTINCT run_id AS s_run FROM goal_runs WHERE tenant = {ClickHouseSql.Literal(tenant)} AND run_id IN ({string.Join(", ", runIds.Select(ClickHouseSql.Literal))})",
            row => row.GetString("s_run"),
            cancellationToken);
        return ids.ToHashSet(StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<(string Tenant, string RunId)>> RunsToRebuildAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        // A run with no row joins as version 0 (join_use_nulls is off by default), so it is rebuilt too.
        var sql = string.Create(CultureInfo.InvariantCulture, $"""
            SELECT r_tenant, r_run
            FROM
            (
                SELECT tenant AS r_tenant, lower(hex(trace_id)) AS r_run, uniqExact(span_id) AS r_spans, max(timestamp) AS r_last
                FROM spans
                WHERE timestamp >= toDateTime({since.ToUnixTimeSeconds()})
                GROUP BY r_tenant, r_run
            )
            ANY LEFT JOIN
            (
                SELECT tenant AS r_tenant, run_id AS r_run, version AS r_version FROM goal_runs FINAL
            ) USING (r_tenant, r_run)
            WHERE r_version < r_spans
            ORDER BY r_last DESC
            LIMIT {Math.Max(1, limit)}
            """);
        return await client.QueryAsync(sql, row => (row.GetString("r_tenant"), row.GetString("r_run")), cancellationToken);
    }

    private static string Where(string tenant, string? goalName, string timeColumn, DateTimeOffset since, DateTimeOffset until) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            tenant = {ClickHouseSql.Literal(tenant)}{(goalName is null ? "" : " AND goal_name = " + ClickHouseSql.Literal(goalName))}
              AND {timeColumn} >= toDateTime({since.ToUnixTimeSeconds()}) AND {timeColumn} < toDateTime({until.ToUnixTimeSeconds()})
            """);

    /// <summary>Runs started per goal, and per bucket of start time when <paramref name="bucket"/> is given (else bucket 0).</summary>
    private async Task<Dictionary<(string Goal, long Time), long>> StartedAsync(
        string? bucket, string tenant, string? goalName, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var rows = await client.QueryAsync(
            $"SELECT goal_name AS f_goal, {bucket ?? "0"} AS f_bucket, count() AS f_started "
            + $"FROM goal_runs FINAL WHERE {Where(tenant, goalName, "started", since, until)} GROUP BY f_goal, f_bucket",
            row => ((row.GetString("f_goal"), row.GetInt64("f_bucket")), row.GetInt64("f_started")),
            cancellationToken);
        return rows.ToDictionary(r => r.Item1, r => r.Item2);
    }

    internal static GoalFigures ReadFigures(ClickHouseRow row, DateTimeOffset time)
    {
        var duration = row.GetDoubleArray("f_duration_q");
        var fanOut = row.GetDoubleArray("f_fan_out_q");
        return new GoalFigures
        {
            GoalName = row.GetString("goal_name"),
            Time = time,
            Completed = row.GetInt64("f_completed"),
            Failed = row.GetInt64("f_failed"),
            Abandoned = row.GetInt64("f_abandoned"),
            DurationP50Ms = duration[0] / 1e6,
            DurationP95Ms = duration[1] / 1e6,
            DurationP99Ms = duration[2] / 1e6,
            InputTokens = row.GetInt64("f_input_tokens"),
            OutputTokens = row.GetInt64("f_output_tokens"),
            CachedTokens = row.GetInt64("f_cached_tokens"),
            Cost = row.GetDouble("f_cost"),
            UnpricedCalls = row.GetInt64("f_unpriced_calls"),
            FanOutP50 = fanOut[0],
            FanOutP99 = fanOut[1],
            Throttled = row.GetInt64("f_throttled"),
        };
    }

    private static GoalRun ReadRun(ClickHouseRow row) => new()
    {
        Tenant = row.GetString("tenant"),
        GoalName = row.GetString("goal_name"),
        RunId = row.GetString("run_id"),
        Rule = (GoalRule)row.GetInt32("rule"),
        GoalSpanId = Hex(row.GetString("goal_span_id_hex")),
        Service = row.GetString("service_name"),
        Outcome = (GoalRunOutcome)row.GetInt32("outcome"),
        StartUnixNano = row.GetUInt64("start_time_unix_nano"),
        EndUnixNano = row.GetUInt64("end_time_unix_nano"),
        LlmCalls = row.GetInt32("llm_calls"),
        ToolCalls = row.GetInt32("tool_calls"),
        DbCalls = row.GetInt32("db_calls"),
        HttpCalls = row.GetInt32("http_calls"),
        OtherSubTasks = row.GetInt32("other_sub_tasks"),
        FanOut = row.GetInt32("fan_out"),
        Depth = row.GetInt32("depth"),
        InputTokens = row.GetInt64("input_tokens"),
        OutputTokens = row.GetInt64("output_tokens"),
        CachedTokens = row.GetInt64("cached_tokens"),
        Cost = row.GetInt32("cost_is_null") == 1 ? null : row.GetDouble("cost_value"),
        UnpricedCalls = row.GetInt32("unpriced_calls"),
        Errors = row.GetInt32("errors"),
        FirstError = row.GetString("first_error"),
        FirstErrorSpanId = Hex(row.GetString("first_error_span_id_hex")),
        Throttled = row.GetInt32("throttled"),
        Retries = row.GetInt32("retries"),
        CriticalPathNano = row.GetUInt64("critical_path_ns"),
        CriticalPathSpanIds = row.GetStringArray("critical_path_hex").Select(Hex).ToList(),
        SpansNotTracked = row.GetInt32("spans_not_tracked"),
        Version = row.GetUInt64("version"),
    };

    private static ulong Hex(string hex) => ulong.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
