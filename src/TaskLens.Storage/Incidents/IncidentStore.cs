using System.Data.Common;
using System.Globalization;
using TaskLens.Core;
using TaskLens.Core.Alerts;
using TaskLens.Core.Incidents;
using TaskLens.Core.Incidents.Learning;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.State;

namespace TaskLens.Storage.Incidents;

/// <summary>
/// Incidents: the current state of each, its alert memberships and each tenant's head version in the state database
/// (SQLite, or PostgreSQL shared by several nodes), changed with compare-and-set; the timeline append-only in
/// ClickHouse's <c>incident_events</c>. A change is one state-database transaction with its timeline rows written
/// alongside (<see cref="StateDatabase.WriteAsync"/>): a change that loses or fails leaves nothing, and timeline rows
/// whose commit then failed are written again under the same versions by the retry (the table keeps the newer row
/// under FINAL).
/// </summary>
internal sealed class IncidentStore(StateDatabase database, ClickHouseClient client) : IIncidentStore
{
    /// <summary>The store's tables; append statements to change them, never edit one that has run.</summary>
    public static readonly StateSchema Schema = new("incidents",
    [
        """
        CREATE TABLE incidents (
            tenant             TEXT   NOT NULL,
            id                 TEXT   NOT NULL,
            number             BIGINT NOT NULL,
            title              TEXT   NOT NULL,
            status             BIGINT NOT NULL,
            severity           BIGINT NOT NULL,
            severity_by_person BIGINT NOT NULL,
            assignee           TEXT   NOT NULL,
            goals              TEXT   NOT NULL,
            services           TEXT   NOT NULL,
            alerts             BIGINT NOT NULL,
            firing_alerts      BIGINT NOT NULL,
            opened_at          BIGINT NOT NULL,
            updated_at         BIGINT NOT NULL,
            acknowledged_at    BIGINT,
            resolved_at        BIGINT,
            resolved_by        TEXT   NOT NULL,
            merged_into        TEXT   NOT NULL,
            version            BIGINT NOT NULL,
            triage_version     BIGINT NOT NULL,
            PRIMARY KEY (tenant, id))
        """,
        "CREATE INDEX incidents_by_opened ON incidents (tenant, opened_at)",
        "CREATE INDEX incidents_live ON incidents (status, updated_at)",
        """
        CREATE TABLE incident_alerts (
            tenant      TEXT             NOT NULL,
            incident_id TEXT             NOT NULL,
            alert_id    TEXT             NOT NULL,
            joined_at   BIGINT           NOT NULL,
            score       DOUBLE PRECISION NOT NULL,
            reason      TEXT             NOT NULL,
            active      BIGINT           NOT NULL,
            firing      BIGINT           NOT NULL,
            version     BIGINT           NOT NULL,
            PRIMARY KEY (tenant, incident_id, alert_id))
        """,
        """
        CREATE TABLE incident_heads (
            tenant      TEXT   NOT NULL PRIMARY KEY,
            version     BIGINT NOT NULL,
            last_number BIGINT NOT NULL DEFAULT 0)
        """,
    ]);

    internal const string Columns = "tenant, id, title, status, severity, severity_by_person, assignee, goals, services, alerts, firing_alerts, "
        + "opened_at, updated_at, acknowledged_at, resolved_at, resolved_by, merged_into, version, triage_version";

    /// <summary>The columns of <see cref="Columns"/> as parameters.</summary>
    internal static readonly string Parameters = string.Join(", ", Columns.Split(", ").Select(c => "@" + c));

    private static readonly IReadOnlyList<string> DecisionColumns = ["tenant", "at", "actor", "kind_a", "kind_b", "together", "features"];

    private readonly IncidentTimeline _timeline = new(client);

    public async Task WriteAsync(IncidentWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        await database.WriteAsync(
            (connection, transaction) => WriteStateAsync(connection, transaction, write, cancellationToken),
            async () =>
            {
                await _timeline.WriteAsync(write.Events, cancellationToken).ConfigureAwait(false);
                await WriteDecisionsAsync(write.Decisions, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteStateAsync(DbConnection connection, DbTransaction transaction, IncidentWrite write, CancellationToken cancellationToken)
    {
        foreach (var tenant in write.Tenants)
        {
            var expected = write.Heads.GetValueOrDefault(tenant);
            await using var head = connection.Command(
                expected == 0
                    ? "INSERT INTO incident_heads (tenant, version) VALUES (@tenant, 1) ON CONFLICT DO NOTHING"
                    : "UPDATE incident_heads SET version = @expected + 1 WHERE tenant = @tenant AND version = @expected",
                transaction).Bind("@tenant", tenant).Bind("@expected", expected);
            if (await head.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                throw new StateConflictException($"tenant {tenant}'s incidents are past version {expected}");
            }
        }

        foreach (var changed in write.States.GroupBy(s => (s.Tenant, s.Id)))
        {
            var state = changed.MaxBy(s => s.Version)!;

            // The version before the change is the one before its first timeline entry of this incident.
            var entries = write.Events.Where(e => e.Tenant == state.Tenant && e.IncidentId == state.Id).Select(e => e.Version).ToList();
            var expected = entries.Count > 0 ? entries.Min() - 1 : state.Version;
            await using var command = connection.Command(
                expected == 0
                    ? $"INSERT INTO incidents (number, {Columns}) VALUES (@number, {Parameters}) ON CONFLICT DO NOTHING"
                    : $"UPDATE incidents SET {Assignments(Columns)} WHERE tenant = @tenant AND id = @id AND version = @expected",
                transaction);
            Bind(command, state).Bind("@expected", expected).Bind("@number", Number(state.Id));
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                throw new StateConflictException($"incident {state.Id} is past version {expected}");
            }

            if (expected == 0)
            {
                // Numbers are never used twice, even once retention has deleted the incident that had one.
                await using var numbered = connection.Command(
                    "UPDATE incident_heads SET last_number = @number WHERE tenant = @tenant AND last_number < @number", transaction)
                    .Bind("@tenant", state.Tenant).Bind("@number", Number(state.Id));
                await numbered.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var member in write.Members)
        {
            await using var command = connection.Command(
                """
                INSERT INTO incident_alerts (tenant, incident_id, alert_id, joined_at, score, reason, active, firing, version)
                VALUES (@tenant, @incident, @alert, @joined, @score, @reason, @active, @firing, @version)
                ON CONFLICT (tenant, incident_id, alert_id) DO UPDATE SET joined_at = excluded.joined_at, score = excluded.score,
                    reason = excluded.reason, active = excluded.active, firing = excluded.firing, version = excluded.version
                """,
                transaction)
                .Bind("@tenant", member.Tenant).Bind("@incident", member.IncidentId).Bind("@alert", member.AlertId)
                .Bind("@joined", member.JoinedAt.ToUnixTimeSeconds()).Bind("@score", member.Score).Bind("@reason", member.Reason)
                .Bind("@active", member.Active).Bind("@firing", member.Firing).Bind("@version", member.Version);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyDictionary<string, long>> HeadsAsync(CancellationToken cancellationToken)
    {
        var heads = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("SELECT tenant, version FROM incident_heads");
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            heads[row.GetString(0)] = StateRows.ReadInt64(row, 1);
        }

        return heads;
    }

    public Task<IReadOnlyList<Incident>> LiveAsync(DateTimeOffset closedSince, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM incidents WHERE status IN (1, 2) OR updated_at >= @since", c => c.Bind("@since", closedSince.ToUnixTimeSeconds()), cancellationToken);

    public async Task<IReadOnlyDictionary<string, long>> LastNumbersAsync(CancellationToken cancellationToken)
    {
        var numbers = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "SELECT tenant, max(number) FROM incidents GROUP BY tenant UNION ALL SELECT tenant, last_number FROM incident_heads");
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            numbers[row.GetString(0)] = Math.Max(numbers.GetValueOrDefault(row.GetString(0)), StateRows.ReadInt64(row, 1));
        }

        return numbers;
    }

    public async Task<Incident?> FindAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var found = await QueryAsync($"SELECT {Columns} FROM incidents WHERE tenant = @tenant AND id = @id",
            c => c.Bind("@tenant", tenant).Bind("@id", id), cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<IReadOnlyList<Incident>> FindAsync(string tenant, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var found = new List<Incident>();
        foreach (var chunk in ids.Chunk(500))
        {
            found.AddRange(await QueryAsync($"SELECT {Columns} FROM incidents WHERE tenant = @tenant AND id IN ({InList(chunk.Length)})",
                c => BindList(c.Bind("@tenant", tenant), chunk), cancellationToken).ConfigureAwait(false));
        }

        return found;
    }

    public Task<IReadOnlyList<Incident>> ListAsync(IncidentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = "tenant = @tenant AND opened_at <= @to AND (status IN (1, 2) OR updated_at >= @from)"
            + (query.Status is null ? " AND status != 4" : " AND status = @status")
            + (query.Severity is null ? "" : " AND severity = @severity")
            + (query.Goal is null ? "" : " AND " + StateRows.Contains(database.Dialect, "goals", "@goal"))
            + (query.Service is null ? "" : " AND " + StateRows.Contains(database.Dialect, "services", "@service"));
        return QueryAsync(
            string.Create(CultureInfo.InvariantCulture,
                $"SELECT {Columns} FROM incidents WHERE {where} ORDER BY opened_at DESC, id DESC LIMIT {Math.Clamp(query.Limit, 1, 1_000)}"),
            c =>
            {
                c.Bind("@tenant", query.Tenant).Bind("@to", query.To.ToUnixTimeSeconds()).Bind("@from", query.From.ToUnixTimeSeconds());
                if (query.Status is { } status)
                {
                    c.Bind("@status", (long)status);
                }

                if (query.Severity is { } severity)
                {
                    c.Bind("@severity", (long)severity);
                }

                if (query.Goal is { } goal)
                {
                    c.Bind("@goal", StateRows.NameNeedle(goal.Trim().ToLowerInvariant()));
                }

                if (query.Service is { } service)
                {
                    c.Bind("@service", StateRows.NameNeedle(service.Trim().ToLowerInvariant()));
                }
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<IncidentAlert>> MembersAsync(string tenant, IReadOnlyCollection<string> incidentIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incidentIds);
        var members = new List<IncidentAlert>();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chunk in incidentIds.Chunk(500))
        {
            await using var command = BindList(connection.Command(
                $"""
                SELECT tenant, incident_id, alert_id, joined_at, score, reason, version, firing FROM incident_alerts
                WHERE tenant = @tenant AND active = 1 AND incident_id IN ({InList(chunk.Length)})
                ORDER BY version, alert_id
                """).Bind("@tenant", tenant), chunk);
            await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                members.Add(new IncidentAlert
                {
                    Tenant = row.GetString(0),
                    IncidentId = row.GetString(1),
                    AlertId = row.GetString(2),
                    JoinedAt = StateRows.ReadSeconds(row, 3),
                    Score = row.GetDouble(4),
                    Reason = row.GetString(5),
                    Version = StateRows.ReadInt64(row, 6),
                    Firing = StateRows.ReadInt64(row, 7) == 1,
                });
            }
        }

        return members;
    }

    public Task<IReadOnlyList<IncidentEvent>> TimelineAsync(string tenant, string id, CancellationToken cancellationToken) =>
        _timeline.ReadAsync(tenant, id, cancellationToken);

    public async Task<IReadOnlyList<GroupingDecision>> DecisionsAsync(int perTenant, CancellationToken cancellationToken)
    {
        var rows = await client.QueryAsync(
            string.Create(CultureInfo.InvariantCulture,
                $"SELECT tenant, toUInt32(at) AS at_s, actor, kind_a, kind_b, together, features FROM grouping_decisions ORDER BY tenant, at DESC LIMIT {perTenant} BY tenant"),
            row => new GroupingDecision(
                row.GetString("tenant"), DateTimeOffset.FromUnixTimeSeconds(row.GetInt64("at_s")), row.GetString("actor"), row.GetString("kind_a"), row.GetString("kind_b"),
                row.GetInt64("together") == 1, row.GetDoubleArray("features").Select(f => (float)f).ToArray()),
            cancellationToken).ConfigureAwait(false);
        return [.. rows.OrderBy(d => d.At)];
    }

    /// <summary>People's merge and split decisions (learnt grouping) in ClickHouse's <c>grouping_decisions</c>, beside the timeline.</summary>
    private async Task WriteDecisionsAsync(List<GroupingDecision> decisions, CancellationToken cancellationToken)
    {
        if (decisions.Count == 0)
        {
            return;
        }

        using var rows = new RowBinaryWriter();
        foreach (var d in decisions)
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

        await client.InsertRowBinaryAsync("grouping_decisions", DecisionColumns, (stream, ct) => rows.CopyToAsync(stream, ct), cancellationToken).ConfigureAwait(false);
    }

    internal static long Number(string id) =>
        id.StartsWith("inc-", StringComparison.Ordinal) && long.TryParse(id.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static string Assignments(string columns) => string.Join(", ", columns.Split(", ").Skip(2).Select(c => $"{c} = @{c}"));

    private static string InList(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture)));

    private static DbCommand BindList(DbCommand command, string[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Bind("@p" + i.ToString(CultureInfo.InvariantCulture), values[i]);
        }

        return command;
    }

    internal static DbCommand Bind(DbCommand command, Incident s) => command
        .Bind("@tenant", s.Tenant).Bind("@id", s.Id).Bind("@title", s.Title).Bind("@status", (long)s.Status).Bind("@severity", (long)s.Severity)
        .Bind("@severity_by_person", s.SeveritySetByPerson).Bind("@assignee", s.Assignee).Bind("@goals", StateRows.Names(s.Goals))
        .Bind("@services", StateRows.Names(s.Services)).Bind("@alerts", s.Alerts).Bind("@firing_alerts", s.FiringAlerts)
        .Bind("@opened_at", s.OpenedAt.ToUnixTimeSeconds()).Bind("@updated_at", s.UpdatedAt.ToUnixTimeSeconds())
        .Bind("@acknowledged_at", StateRows.SecondsOrNull(s.AcknowledgedAt)).Bind("@resolved_at", StateRows.SecondsOrNull(s.ResolvedAt))
        .Bind("@resolved_by", s.ResolvedBy).Bind("@merged_into", s.MergedInto).Bind("@version", s.Version).Bind("@triage_version", s.TriageVersion);

    private async Task<IReadOnlyList<Incident>> QueryAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(sql);
        bind(command);
        var result = new List<Incident>();
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new Incident
            {
                Tenant = row.GetString(0),
                Id = row.GetString(1),
                Title = row.GetString(2),
                Status = (IncidentStatus)StateRows.ReadInt64(row, 3),
                Severity = (AlertSeverity)StateRows.ReadInt64(row, 4),
                SeveritySetByPerson = StateRows.ReadInt64(row, 5) == 1,
                Assignee = row.GetString(6),
                Goals = StateRows.ReadNames(row, 7),
                Services = StateRows.ReadNames(row, 8),
                Alerts = (int)StateRows.ReadInt64(row, 9),
                FiringAlerts = (int)StateRows.ReadInt64(row, 10),
                OpenedAt = StateRows.ReadSeconds(row, 11),
                UpdatedAt = StateRows.ReadSeconds(row, 12),
                AcknowledgedAt = StateRows.ReadSecondsOrNull(row, 13),
                ResolvedAt = StateRows.ReadSecondsOrNull(row, 14),
                ResolvedBy = row.GetString(15),
                MergedInto = row.GetString(16),
                Version = StateRows.ReadInt64(row, 17),
                TriageVersion = StateRows.ReadInt64(row, 18),
            });
        }

        return result;
    }
}
