using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Incidents;
using TaskLens.Storage.Alerts;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Incidents;

namespace TaskLens.Storage.State;

/// <summary>
/// The one-shot move of incident and alert state from ClickHouse (where versions before the state database kept it:
/// tables <c>incidents</c>, <c>incident_alerts</c>, <c>alert_states</c>) into the state database, at start, while
/// the state database holds no incident and no alert state. The latest row per key is taken (as those versions read
/// them); memberships that ended are left behind (the rest count as firing when last recorded; the alerts' own states
/// decide what fires now); the timeline and alert events stay in ClickHouse. Two nodes
/// starting together copy the same rows, and the second's inserts do nothing.
/// </summary>
internal sealed class ClickHouseStateImport(StateDatabase database, ClickHouseClient client, ILogger<ClickHouseStateImport> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) => await ImportAsync(cancellationToken).ConfigureAwait(false);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Copies the state over when the state database has none; returns the incidents and alert states copied.</summary>
    internal async Task<(int Incidents, int Alerts)> ImportAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var any = connection.Command("SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM alert_states)"))
        {
            if (await any.ScalarInt64Async(cancellationToken).ConfigureAwait(false) > 0)
            {
                return (0, 0);
            }
        }

        var incidents = await client.QueryAsync(
            "SELECT tenant, id, " + string.Join(", ", IncidentColumns.Select(c => c.EndsWith("_at", StringComparison.Ordinal)
                ? $"toUInt32(argMax({c}, version)) AS x_{c}" : $"argMax({c}, version) AS x_{c}")) + " FROM incidents GROUP BY tenant, id",
            ReadIncident, cancellationToken).ConfigureAwait(false);
        var members = await client.QueryAsync(
            """
            SELECT tenant, incident_id, alert_id, toUInt32(argMax(joined_at, version)) AS x_joined, argMax(score, version) AS x_score,
                   argMax(reason, version) AS x_reason, argMax(active, version) AS x_active, max(version) AS x_version
            FROM incident_alerts GROUP BY tenant, incident_id, alert_id HAVING x_active = 1
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
            cancellationToken).ConfigureAwait(false);
        var alerts = await client.QueryAsync(
            """
            SELECT tenant, source, fingerprint, status, title, message, severity, label_keys, label_values, url,
                   toUInt32(first_seen) AS s_first, toUInt32(last_seen) AS s_last, toUInt32(resolved_at) AS s_resolved, fires, events, version
            FROM alert_states FINAL
            """,
            ReadAlert, cancellationToken).ConfigureAwait(false);
        if (incidents.Count == 0 && alerts.Count == 0)
        {
            return (0, 0);
        }

        await using var transaction = await StateDatabase.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        foreach (var incident in incidents)
        {
            await using var insert = IncidentStore.Bind(connection.Command(
                $"INSERT INTO incidents (number, {IncidentStore.Columns}) VALUES (@number, {IncidentStore.Parameters}) ON CONFLICT DO NOTHING", transaction), incident)
                .Bind("@number", IncidentStore.Number(incident.Id));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // A membership row past its incident's version was a change that failed to store part-way: not the incident's.
        var versions = incidents.ToDictionary(i => (i.Tenant, i.Id), i => i.Version);
        foreach (var m in members.Where(m => versions.TryGetValue((m.Tenant, m.IncidentId), out var v) && m.Version <= v))
        {
            await using var insert = connection.Command(
                """
                INSERT INTO incident_alerts (tenant, incident_id, alert_id, joined_at, score, reason, active, firing, version)
                VALUES (@tenant, @incident, @alert, @joined, @score, @reason, 1, 1, @version) ON CONFLICT DO NOTHING
                """, transaction)
                .Bind("@tenant", m.Tenant).Bind("@incident", m.IncidentId).Bind("@alert", m.AlertId).Bind("@joined", m.JoinedAt.ToUnixTimeSeconds())
                .Bind("@score", m.Score).Bind("@reason", m.Reason).Bind("@version", m.Version);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var tenant in incidents.GroupBy(i => i.Tenant, StringComparer.Ordinal))
        {
            await using var head = connection.Command(
                "INSERT INTO incident_heads (tenant, version, last_number) VALUES (@tenant, 1, @last) ON CONFLICT DO NOTHING", transaction)
                .Bind("@tenant", tenant.Key).Bind("@last", tenant.Max(i => IncidentStore.Number(i.Id)));
            await head.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var alert in alerts)
        {
            await using var insert = AlertIntakeStore.Bind(connection.Command(
                $"INSERT INTO alert_states ({AlertIntakeStore.Columns}) VALUES ({AlertIntakeStore.Parameters}) ON CONFLICT DO NOTHING", transaction), alert);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        StorageLog.StateImported(logger, incidents.Count, alerts.Count, database.Location);
        return (incidents.Count, alerts.Count);
    }

    private static readonly string[] IncidentColumns =
    [
        "title", "status", "severity", "severity_by_person", "assignee", "goals", "services", "alerts", "firing_alerts",
        "opened_at", "updated_at", "acknowledged_at", "resolved_at", "resolved_by", "merged_into", "version", "triage_version",
    ];

    private static DateTimeOffset? OptionalTime(long seconds) => seconds == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(seconds);

    private static Incident ReadIncident(ClickHouseRow row) => new()
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

    private static AlertState ReadAlert(ClickHouseRow row)
    {
        var keys = row.GetStringArray("label_keys");
        var values = row.GetStringArray("label_values");
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
            ResolvedAt = OptionalTime(row.GetInt64("s_resolved")),
            Fires = row.GetInt32("fires"),
            Events = row.GetInt32("events"),
            Version = row.GetInt64("version"),
        };
    }
}
