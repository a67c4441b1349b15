using System.Globalization;
using TaskLens.Core.Alerts;
using TaskLens.Core.Incidents;
using TaskLens.Core.Incidents.Learning;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Incidents;

/// <summary>
/// Incidents in ClickHouse: <c>incident_events</c> (the timeline), <c>incident_alerts</c> (memberships) and
/// <c>incidents</c> (states). States and memberships are read as the latest version per key with <c>argMax</c> and
/// filtered after grouping: a filter on a non-key column next to FINAL can be moved to PREWHERE by older servers and
/// then see a superseded row.
/// </summary>
internal sealed class IncidentStore(ClickHouseClient client) : IIncidentStore
{
    private static readonly IReadOnlyList<string> EventColumns =
        ["tenant", "incident_id", "version", "kind", "at", "actor", "text", "alert_id", "other_incident", "score"];

    private static readonly IReadOnlyList<string> MemberColumns =
        ["tenant", "incident_id", "alert_id", "joined_at", "score", "reason", "active", "version"];

    private static readonly IReadOnlyList<string> DecisionColumns = ["tenant", "at", "actor", "kind_a", "kind_b", "together", "features"];

    private static readonly IReadOnlyList<string> StateColumns =
    [
        "tenant", "id", "title", "status", "severity", "severity_by_person", "assignee", "goals", "services", "alerts", "firing_alerts",
        "opened_at", "updated_at", "acknowledged_at", "resolved_at", "resolved_by", "merged_into", "version", "triage_version",
    ];

    /// <summary>The latest state per incident, every column prefixed <c>x_</c> (see the class remarks).</summary>
    private static readonly string StateSelect =
        "SELECT tenant, id, "
        + string.Join(", ", StateColumns.Skip(2).Select(c => c is "opened_at" or "updated_at" or "acknowledged_at" or "resolved_at"
            ? $"toUInt32(argMax({c}, version)) AS x_{c}"
            : $"argMax({c}, version) AS x_{c}"))
        + " FROM incidents";

    public async Task WriteAsync(IncidentWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (write.Events.Count > 0)
        {
            using var rows = new RowBinaryWriter();
            foreach (var e in write.Events)
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

        if (write.Members.Count > 0)
        {
            using var rows = new RowBinaryWriter();
            foreach (var m in write.Members)
            {
                rows.WriteString(m.Tenant);
                rows.WriteString(m.IncidentId);
                rows.WriteString(m.AlertId);
                rows.WriteDateTime(m.JoinedAt);
                rows.WriteFloat64(m.Score);
                rows.WriteString(m.Reason);
                rows.WriteUInt8(m.Active ? (byte)1 : (byte)0);
                rows.WriteUInt64((ulong)m.Version);
            }

            await client.InsertRowBinaryAsync("incident_alerts", MemberColumns, (stream, ct) => rows.CopyToAsync(stream, ct), cancellationToken);
        }

        if (write.States.Count > 0)
        {
            using var rows = new RowBinaryWriter();
            foreach (var s in write.States)
            {
                rows.WriteString(s.Tenant);
                rows.WriteString(s.Id);
                rows.WriteString(s.Title);
                rows.WriteUInt8((byte)s.Status);
                rows.WriteUInt8((byte)s.Severity);
                rows.WriteUInt8(s.SeveritySetByPerson ? (byte)1 : (byte)0);
                rows.WriteString(s.Assignee);
                rows.WriteStringArray(s.Goals);
                rows.WriteStringArray(s.Services);
                rows.WriteUInt32((uint)s.Alerts);
                rows.WriteUInt32((uint)s.FiringAlerts);
                rows.WriteDateTime(s.OpenedAt);
                rows.WriteDateTime(s.UpdatedAt);
                rows.WriteDateTime(s.AcknowledgedAt);
                rows.WriteDateTime(s.ResolvedAt);
                rows.WriteString(s.ResolvedBy);
                rows.WriteString(s.MergedInto);
                rows.WriteUInt64((ulong)s.Version);
                rows.WriteUInt64((ulong)s.TriageVersion);
            }

            await client.InsertRowBinaryAsync("incidents", StateColumns, (stream, ct) => rows.CopyToAsync(stream, ct), cancellationToken);
        }

        if (write.Decisions.Count > 0)
        {
            using var rows = new RowBinaryWriter();
            foreach (var d in write.Decisions)
            {
                rows.WriteString(d.Tenant);
                rows.WriteDateTime(d.At);
                rows.WriteString(d.Actor);
                rows.WriteString(d.KindA);
                rows.WriteString(d.KindB);
                rows.WriteUInt8(d.Together ? (byte)1 : (byte)0);
                rows.WriteArrayLength(d.Features.Count);
                foreach (var feature in d.Features)
                {
                    rows.WriteFloat64(feature);
                }
            }

            await client.InsertRowBinaryAsync("grouping_decisions", DecisionColumns, (stream, ct) => rows.CopyToAsync(stream, ct), cancellationToken);
        }
    }

    public async Task<IReadOnlyList<GroupingDecision>> DecisionsAsync(int perTenant, CancellationToken cancellationToken)
    {
        var rows = await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture,
                $"SELECT tenant, toUInt32(at) AS at_s, actor, kind_a, kind_b, together, features FROM grouping_decisions ORDER BY tenant, at DESC LIMIT {perTenant} BY tenant"),
            row => new GroupingDecision(
                row.GetString("tenant"), DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("at_s")), row.GetString("actor"), row.GetString("kind_a"), row.GetString("kind_b"),
                row.GetInt64("together") == 1, row.GetDoubleArray("features").Select(f => (float)f).ToArray()),
            cancellationToken);
        return [.. rows.OrderBy(d => d.At)];
    }

    public async Task<IReadOnlyList<Incident>> LiveAsync(DateTimeOffset closedSince, CancellationToken cancellationToken) =>
        await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture,
                $"{StateSelect} GROUP BY tenant, id HAVING x_status IN (1, 2) OR x_updated_at >= {closedSince.ToUnixTimeSeconds()}"),
            Read,
            cancellationToken);

    public async Task<IReadOnlyDictionary<string, long>> LastNumbersAsync(CancellationToken cancellationToken)
    {
        var rows = await client.QueryAsync(
            // From the timeline, written first: a number whose state row failed to store is not used again.
            "SELECT tenant, max(toUInt64OrZero(substring(incident_id, 5))) AS last FROM incident_events GROUP BY tenant",
            row => (Tenant: row.GetString("tenant"), Last: row.GetInt64("last")),
            cancellationToken);
        return rows.ToDictionary(r => r.Tenant, r => r.Last, StringComparer.Ordinal);
    }

    public async Task<Incident?> FindAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var found = await client.QueryAsync(
            $"{StateSelect} WHERE tenant = {ClickHouseSql.Literal(tenant)} AND id = {ClickHouseSql.Literal(id)} GROUP BY tenant, id",
            Read,
            cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<IReadOnlyList<Incident>> FindAsync(string tenant, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return [];
        }

        return await client.QueryAsync(
            $"{StateSelect} WHERE tenant = {ClickHouseSql.Literal(tenant)} AND id IN ({string.Join(", ", ids.Select(id => ClickHouseSql.Literal(id)))}) GROUP BY tenant, id",
            Read,
            cancellationToken);
    }

    public async Task<IReadOnlyList<Incident>> ListAsync(IncidentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var having = string.Create(CultureInfo.InvariantCulture,
            $"x_opened_at <= {query.To.ToUnixTimeSeconds()} AND (x_status IN (1, 2) OR x_updated_at >= {query.From.ToUnixTimeSeconds()})")
            + (query.Status is { } status ? string.Create(CultureInfo.InvariantCulture, $" AND x_status = {(int)status}") : " AND x_status != 4")
            + (query.Severity is { } severity ? string.Create(CultureInfo.InvariantCulture, $" AND x_severity = {(int)severity}") : "")
            + (query.Goal is { } goal ? $" AND has(x_goals, {ClickHouseSql.Literal(goal.Trim().ToLowerInvariant())})" : "")
            + (query.Service is { } service ? $" AND has(x_services, {ClickHouseSql.Literal(service.Trim().ToLowerInvariant())})" : "");
        return await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture,
                $"{StateSelect} WHERE tenant = {ClickHouseSql.Literal(query.Tenant)} GROUP BY tenant, id HAVING {having} ORDER BY x_opened_at DESC, id DESC LIMIT {Math.Clamp(query.Limit, 1, 1_000)}"),
            Read,
            cancellationToken);
    }

    public async Task<IReadOnlyList<IncidentAlert>> MembersAsync(string tenant, IReadOnlyCollection<string> incidentIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incidentIds);
        var members = new List<IncidentAlert>();
        foreach (var chunk in incidentIds.Chunk(1_000))
        {
            var ids = string.Join(", ", chunk.Select(id => ClickHouseSql.Literal(id)));
            members.AddRange(await client.QueryAsync(
                $"""
                SELECT tenant, incident_id, alert_id, toUInt32(argMax(joined_at, version)) AS x_joined, argMax(score, version) AS x_score,
                       argMax(reason, version) AS x_reason, argMax(active, version) AS x_active, max(version) AS x_version
                FROM incident_alerts
                WHERE tenant = {ClickHouseSql.Literal(tenant)} AND incident_id IN ({ids})
                GROUP BY tenant, incident_id, alert_id
                HAVING x_active = 1
                ORDER BY x_version, alert_id
                """,
                row => new IncidentAlert
                {
                    Tenant = row.GetString("tenant"),
                    IncidentId = row.GetString("incident_id"),
                    AlertId = row.GetString("alert_id"),
                    JoinedAt = DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("x_joined")),
                    Score = row.GetDouble("x_score"),
                    Reason = row.GetString("x_reason"),
                    Version = row.GetInt64("x_version"),
                },
                cancellationToken));
        }

        return members;
    }

    public async Task<IReadOnlyList<IncidentEvent>> TimelineAsync(string tenant, string id, CancellationToken cancellationToken) =>
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

    private static DateTimeOffset? OptionalTime(long seconds) => seconds == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(seconds);

    private static Incident Read(ClickHouseRow row) => new()
    {
        Tenant = row.GetString("tenant"),
        Id = row.GetString("id"),
        Title = row.GetString("x_title"),
        Status = (IncidentStatus)row.GetInt32("x_status"),
        Severity = (AlertSeverity)row.GetInt32("x_severity"),
        SeveritySetByPerson = row.GetInt32("x_severity_by_person") == 1,
        Assignee = row.GetString("x_assignee"),
        Goals = row.GetStringArray("x_goals"),
        Services = row.GetStringArray("x_services"),
        Alerts = row.GetInt32("x_alerts"),
        FiringAlerts = row.GetInt32("x_firing_alerts"),
        OpenedAt = DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("x_opened_at")),
        UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("x_updated_at")),
        AcknowledgedAt = OptionalTime(row.GetInt64("x_acknowledged_at")),
        ResolvedAt = OptionalTime(row.GetInt64("x_resolved_at")),
        ResolvedBy = row.GetString("x_resolved_by"),
        MergedInto = row.GetString("x_merged_into"),
        Version = row.GetInt64("x_version"),
        TriageVersion = row.GetInt64("x_triage_version"),
    };
}
