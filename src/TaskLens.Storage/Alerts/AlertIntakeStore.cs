using System.Globalization;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Alerts;

/// <summary>
/// The alert intake's tables: <c>alert_events</c> (append-only) and <c>alert_states</c> (ReplacingMergeTree on version,
/// read with FINAL). Events are written before states, so a state never points at an event that was not stored.
/// Each event row carries the version of the state it led to: an event retried after a failed write is planned again
/// from the same state and gets the same version, so (tenant, source, fingerprint, version) identifies an event and
/// readers fold copies with <c>LIMIT 1 BY</c> those (plain MergeTree on 18.16 has no insert deduplication).
/// </summary>
internal sealed class AlertIntakeStore(ClickHouseClient client) : IAlertIntakeStore
{
    private static readonly IReadOnlyList<string> EventColumns =
        ["tenant", "source", "fingerprint", "action", "title", "message", "severity", "label_keys", "label_values", "starts_at", "url", "received_at", "version"];

    private static readonly IReadOnlyList<string> StateColumns =
    [
        "tenant", "source", "fingerprint", "status", "title", "message", "severity", "label_keys", "label_values", "url",
        "first_seen", "last_seen", "resolved_at", "fires", "events", "version",
    ];

    private const string StateSelect = """
        SELECT tenant, source, fingerprint, status, title, message, severity, label_keys, label_values, url,
               toUInt32(first_seen) AS s_first, toUInt32(last_seen) AS s_last, toUInt32(resolved_at) AS s_resolved, fires, events, version
        FROM alert_states FINAL
        """;

    public async Task WriteAsync(IReadOnlyList<AlertEvent> events, IReadOnlyList<AlertState> states, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(states);
        if (events.Count > 0)
        {
            using var rows = new RowBinaryWriter();
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                rows.WriteString(e.Tenant);
                rows.WriteString(e.Source);
                rows.WriteString(e.Fingerprint);
                rows.WriteUInt8((byte)e.Action);
                rows.WriteString(e.Title);
                rows.WriteString(e.Message);
                rows.WriteUInt8((byte)e.Severity);
                WriteLabels(rows, e.Labels);
                rows.WriteDateTime(e.StartsAt);
                rows.WriteString(e.Url);
                rows.WriteDateTime(e.ReceivedAt);

                // states[i] is the state events[i] led to (IAlertIntakeStore.WriteAsync).
                rows.WriteUInt64(states.Count == events.Count ? (ulong)states[i].Version : 0);
            }

            await client.InsertRowBinaryAsync("alert_events", EventColumns, (stream, ct) => rows.CopyToAsync(stream, ct), cancellationToken);
        }

        if (states.Count > 0)
        {
            using var rows = new RowBinaryWriter();
            foreach (var s in states)
            {
                rows.WriteString(s.Tenant);
                rows.WriteString(s.Source);
                rows.WriteString(s.Fingerprint);
                rows.WriteUInt8((byte)s.Status);
                rows.WriteString(s.Title);
                rows.WriteString(s.Message);
                rows.WriteUInt8((byte)s.Severity);
                WriteLabels(rows, s.Labels);
                rows.WriteString(s.Url);
                rows.WriteDateTime(s.FirstSeen);
                rows.WriteDateTime(s.LastSeen);
                rows.WriteDateTime(s.ResolvedAt);
                rows.WriteUInt32((uint)s.Fires);
                rows.WriteUInt32((uint)s.Events);
                rows.WriteUInt64((ulong)s.Version);
            }

            await client.InsertRowBinaryAsync("alert_states", StateColumns, (stream, ct) => rows.CopyToAsync(stream, ct), cancellationToken);
        }
    }

    public async Task<IReadOnlyList<AlertState>> StatesAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture, $"{StateSelect} WHERE last_seen >= toDateTime({since.ToUnixTimeSeconds()})"),
            Read,
            cancellationToken);

    public async Task<IReadOnlyList<AlertState>> FindAsync(string tenant, IReadOnlyCollection<string> alertIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alertIds);
        var found = new List<AlertState>();
        foreach (var chunk in alertIds.Chunk(1_000))
        {
            var ids = string.Join(", ", chunk.Select(ClickHouseSql.Literal));
            found.AddRange(await client.QueryAsync(
                $"{StateSelect} WHERE tenant = {ClickHouseSql.Literal(tenant)} AND concat(source, ':', fingerprint) IN ({ids})", Read, cancellationToken));
        }

        return found;
    }

    public async Task<IReadOnlyList<AlertState>> ListAsync(string tenant, AlertStateStatus? status, string? source, int limit, CancellationToken cancellationToken)
    {
        var where = "tenant = " + ClickHouseSql.Literal(tenant)
            + (status is { } s ? string.Create(CultureInfo.InvariantCulture, $" AND status = {(int)s}") : "")
            + (source is null ? "" : " AND source = " + ClickHouseSql.Literal(source));
        return await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture, $"{StateSelect} WHERE {where} ORDER BY last_seen DESC, fingerprint LIMIT {Math.Clamp(limit, 1, 1_000)}"),
            Read,
            cancellationToken);
    }

    /// <summary>Labels as two parallel arrays, sorted by name.</summary>
    private static void WriteLabels(RowBinaryWriter rows, IReadOnlyDictionary<string, string> labels)
    {
        var sorted = labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToList();
        rows.WriteStringArray(sorted.Select(l => l.Key));
        rows.WriteStringArray(sorted.Select(l => l.Value));
    }

    private static AlertState Read(ClickHouseRow row)
    {
        var keys = row.GetStringArray("label_keys");
        var values = row.GetStringArray("label_values");
        var resolved = row.GetInt64("s_resolved");
        return new AlertState
        {
            Tenant = row.GetString("tenant"),
            Source = row.GetString("source"),
            Fingerprint = row.GetString("fingerprint"),
            Status = (AlertStateStatus)row.GetInt32("status"),
            Title = row.GetString("title"),
            Message = row.GetString("message"),
            Severity = (AlertSeverity)row.GetInt32("severity"),
            Labels = keys.Zip(values).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal),
            Url = row.GetString("url"),
            FirstSeen = DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("s_first")),
            LastSeen = DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("s_last")),
            ResolvedAt = resolved == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(resolved),
            Fires = row.GetInt32("fires"),
            Events = row.GetInt32("events"),
            Version = row.GetInt64("version"),
        };
    }
}
