using TaskLens.Core.Incidents;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Incidents;

/// <summary>
/// Incident timelines in ClickHouse's <c>incident_events</c>: append-only, one row per entry keyed by version, read
/// with FINAL (a version written twice — a retried change — keeps its newer row).
/// </summary>
internal sealed class IncidentTimeline(ClickHouseClient client)
{
    private static readonly IReadOnlyList<string> EventColumns =
        ["tenant", "incident_id", "version", "kind", "at", "actor", "text", "alert_id", "other_incident", "score"];

    public async Task WriteAsync(IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        using var rows = new RowBinaryWriter();
        foreach (var e in events)
        {
            rows.WriteString(e.Tenant);
            rows.WriteString(e.IncidentId);
            rows.WriteUInt64((ulong)e.Version);
            rows.WriteUInt8((byte)e.Kind);
            rows.WriteDateTime(e.At);
            rows.WriteString(e.Actor);
            rows.WriteString(e.Text);
            rows.WriteString(e.AlertId);
            rows.WriteString(e.OtherIncident);
            rows.WriteFloat64(e.Score);
        }

        await client.InsertRowBinaryAsync("incident_events", EventColumns, (stream, ct) => rows.CopyToAsync(stream, ct), cancellationToken);
    }

    public async Task<IReadOnlyList<IncidentEvent>> ReadAsync(string tenant, string id, CancellationToken cancellationToken) =>
        await client.QueryAsync(
            $"""
            SELECT tenant, incident_id, version, kind, toUInt32(at) AS s_at, actor, text, alert_id, other_incident, score
            FROM incident_events FINAL
            WHERE tenant = {ClickHouseSql.Literal(tenant)} AND incident_id = {ClickHouseSql.Literal(id)}
            ORDER BY version
            """,
            row => new IncidentEvent
            {
                Tenant = row.GetString("tenant"),
                IncidentId = row.GetString("incident_id"),
                Version = row.GetInt64("version"),
                Kind = (IncidentEventKind)row.GetInt32("kind"),
                At = DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("s_at")),
                Actor = row.GetString("actor"),
                Text = row.GetString("text"),
                AlertId = row.GetString("alert_id"),
                OtherIncident = row.GetString("other_incident"),
                Score = row.GetDouble("score"),
            },
            cancellationToken);
}
