using System.Globalization;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Findings;

/// <summary>
/// Reads the alerts table (detection's findings), newest first. A finding whose insert was retried (a timeout after
/// ClickHouse had stored it) is in the plain MergeTree twice; <c>LIMIT 1 BY id</c> folds the copies, on 18.16 and
/// current servers alike.
/// </summary>
internal sealed class FindingReader(ClickHouseClient client) : IFindingReader
{
    public async Task<IReadOnlyList<Finding>> ListAsync(FindingQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string>
        {
            "tenant = " + ClickHouseSql.Literal(query.Tenant),
            string.Create(CultureInfo.InvariantCulture, $"raised_at >= toDateTime({query.From.ToUnixTimeSeconds()}) AND raised_at < toDateTime({query.To.ToUnixTimeSeconds()})"),
        };
        if (query.Status is { } status)
        {
            where.Add(string.Create(CultureInfo.InvariantCulture, $"status = {(int)status}"));
        }

        if (query.Severity is { } severity)
        {
            where.Add(string.Create(CultureInfo.InvariantCulture, $"severity = {(int)severity}"));
        }

        if (query.Goal is { } goal)
        {
            where.Add("scope = 'goal' AND subject = " + ClickHouseSql.Literal(goal));
        }

        if (query.Service is { } service)
        {
            where.Add("scope = 'service' AND subject = " + ClickHouseSql.Literal(service));
        }

        return await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture, $"""
                SELECT tenant, id, source, fingerprint, severity, status, scope, subject, metric, observed, expected, lower, upper,
                       score, detector, toUInt32(window_start) AS a_window_start, toUInt32(window_end) AS a_window_end,
                       toUInt32(raised_at) AS a_raised_at, summary, reason, sample_run_ids
                FROM alerts WHERE {string.Join(" AND ", where)}
                ORDER BY raised_at DESC, id
                LIMIT 1 BY id
                LIMIT {Math.Clamp(query.Limit, 1, 1_000)}
                """),
            Read,
            cancellationToken);
    }

    private static Finding Read(ClickHouseRow row) => new()
    {
        Tenant = row.GetString("tenant"),
        Id = row.GetString("id"),
        Source = row.GetString("source"),
        Fingerprint = row.GetString("fingerprint"),
        Severity = (AlertSeverity)row.GetInt32("severity"),
        Status = (FindingStatus)row.GetInt32("status"),
        Scope = row.GetString("scope"),
        Subject = row.GetString("subject"),
        Metric = row.GetString("metric"),
        Observed = row.GetDouble("observed"),
        Expected = row.GetDouble("expected"),
        Lower = row.GetDouble("lower"),
        Upper = row.GetDouble("upper"),
        Score = row.GetDouble("score"),
        Detector = row.GetString("detector"),
        WindowStart = DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("a_window_start")),
        WindowEnd = DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("a_window_end")),
        RaisedAt = DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("a_raised_at")),
        Summary = row.GetString("summary"),
        Reason = row.GetString("reason"),
        SampleRunIds = row.GetStringArray("sample_run_ids"),
    };
}
