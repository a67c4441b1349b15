using System.Globalization;
using TaskLens.Core.Briefs;
using TaskLens.Core.Traces;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Telemetry;

namespace TaskLens.Storage.Briefs;

/// <summary>Error messages and service versions for briefs, grouped in ClickHouse so a flood of errors is one small answer.</summary>
internal sealed class BriefEvidenceReader(ClickHouseClient client) : IBriefEvidenceReader
{
    /// <summary>Longest error text kept per group: a stack trace's first lines are what a template needs.</summary>
    private const int MaxTextChars = 1000;

    /// <summary>OTLP SeverityNumber of ERROR (17-20) and FATAL (21-24).</summary>
    private const int ErrorSeverity = 17;

    public async Task<IReadOnlyList<ErrorMessageGroup>> ErrorMessagesAsync(
        string tenant, IReadOnlyCollection<string> services, DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Count == 0)
        {
            return [];
        }

        var where = Where(tenant, services, since, until);
        limit = Math.Clamp(limit, 1, 10_000);
        var spans = string.Create(CultureInfo.InvariantCulture, $"""
            SELECT service_name, substringUTF8(if(status_message = '', concat(name, ' ended in error'), status_message), 1, {MaxTextChars}) AS text,
                   count() AS n, toUInt32(min(timestamp)) AS first_at, toUInt32(max(timestamp)) AS last_at, lower(hex(any(trace_id))) AS sample
            FROM spans
            WHERE {where} AND status_code = 2
            GROUP BY service_name, text
            ORDER BY first_at, n DESC
            LIMIT {limit}
            """);
        var logs = string.Create(CultureInfo.InvariantCulture, $"""
            SELECT service_name, substringUTF8(body, 1, {MaxTextChars}) AS text,
                   count() AS n, toUInt32(min(timestamp)) AS first_at, toUInt32(max(timestamp)) AS last_at, lower(hex(any(trace_id))) AS sample
            FROM logs
            WHERE {where} AND severity_number >= {ErrorSeverity}
            GROUP BY service_name, text
            ORDER BY first_at, n DESC
            LIMIT {limit}
            """);
        var found = new List<ErrorMessageGroup>();
        found.AddRange(await client.QueryAsync(spans, row => Read(row, "span"), cancellationToken));
        found.AddRange(await client.QueryAsync(logs, row => Read(row, "log"), cancellationToken));
        return found.OrderBy(g => g.FirstSeen).ThenByDescending(g => g.Count).Take(limit).ToList();
    }

    /// <remarks>
    /// The tenant and the window are in every part of the join, so it reads one tenant's granules (the spans table is
    /// sorted by tenant first) instead of every tenant's spans of the window, which the process-wide link query does.
    /// </remarks>
    public async Task<IReadOnlyList<ServiceLink>> ServiceLinksAsync(string tenant, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var window = string.Create(CultureInfo.InvariantCulture, $"""
            tenant = {ClickHouseSql.Literal(tenant)} AND timestamp >= toDateTime({since.ToUnixTimeSeconds()}) AND timestamp < toDateTime({until.ToUnixTimeSeconds()})
            """);
        var sql = $"""
            SELECT caller, callee, count() AS calls
            FROM
            (
                SELECT trace_id, span_id, service_name AS caller FROM spans
                WHERE {window} AND span_id IN (SELECT parent_span_id FROM spans WHERE {window} AND kind IN (2, 5))
            )
            ALL INNER JOIN
            (
                SELECT trace_id, parent_span_id AS span_id, service_name AS callee FROM spans WHERE {window} AND kind IN (2, 5)
            )
            USING (trace_id, span_id)
            WHERE caller != callee
            GROUP BY caller, callee
            """;
        return await client.QueryAsync(
            sql, row => new ServiceLink(tenant, row.GetString("caller"), row.GetString("callee"), row.GetInt64("calls")), cancellationToken);
    }

    public async Task<IReadOnlyList<ServiceVersionSeen>> ServiceVersionsAsync(
        string tenant, IReadOnlyCollection<string> services, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Count == 0)
        {
            return [];
        }

        var sql = $"""
            SELECT service_name, version, count() AS n, toUInt32(min(timestamp)) AS first_at, toUInt32(max(timestamp)) AS last_at
            FROM
            (
                SELECT service_name, timestamp,
                       if(has(resource_attr_keys, 'service.version'), resource_attr_values[indexOf(resource_attr_keys, 'service.version')], '') AS version
                FROM spans
                WHERE {Where(tenant, services, since, until)}
            )
            WHERE version != ''
            GROUP BY service_name, version
            ORDER BY service_name, first_at
            LIMIT 1000
            """;
        return await client.QueryAsync(
            sql,
            row => new ServiceVersionSeen(row.GetString("service_name"), row.GetString("version"), At(row, "first_at"), At(row, "last_at"), row.GetInt64("n")),
            cancellationToken);
    }

    private static string Where(string tenant, IReadOnlyCollection<string> services, DateTimeOffset since, DateTimeOffset until) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            tenant = {ClickHouseSql.Literal(tenant)} AND lower(service_name) IN ({string.Join(", ", services.Select(s => ClickHouseSql.Literal(s.ToLowerInvariant())))})
              AND timestamp >= toDateTime({since.ToUnixTimeSeconds()}) AND timestamp < toDateTime({until.ToUnixTimeSeconds()})
            """);

    private static ErrorMessageGroup Read(ClickHouseRow row, string kind) => new(
        row.GetString("service_name"), kind, row.GetString("text"), row.GetInt64("n"), At(row, "first_at"), At(row, "last_at"),
        TelemetryColumns.IdOrEmpty(row.GetString("sample")));

    private static DateTimeOffset At(ClickHouseRow row, string name) => DateTimeOffset.FromUnixTimeSeconds(row.GetInt64(name));
}
