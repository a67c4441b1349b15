using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using TaskLens.Core;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.State;

namespace TaskLens.Storage.Alerts;

/// <summary>
/// The alert intake's storage: each alert's state in the state database, changed with compare-and-set on its version
/// (several nodes take alerts), and every event append-only in ClickHouse's <c>alert_events</c>, written alongside the
/// states' transaction (<see cref="StateDatabase.WriteAsync"/>): a batch that loses or fails stores nothing. Each event
/// row carries the version of the state it led to; an event written again after a failed commit gets the same
/// version, and readers fold copies with <c>LIMIT 1 BY</c> (tenant, source, fingerprint, version).
/// </summary>
internal sealed class AlertIntakeStore(StateDatabase database, ClickHouseClient client) : IAlertIntakeStore
{
    /// <summary>The store's tables; append statements to change them, never edit one that has run.</summary>
    public static readonly StateSchema Schema = new("alert_states",
    [
        """
        CREATE TABLE alert_states (
            tenant      TEXT   NOT NULL,
            source      TEXT   NOT NULL,
            fingerprint TEXT   NOT NULL,
            status      BIGINT NOT NULL,
            title       TEXT   NOT NULL,
            message     TEXT   NOT NULL,
            severity    BIGINT NOT NULL,
            labels      TEXT   NOT NULL,
            url         TEXT   NOT NULL,
            first_seen  BIGINT NOT NULL,
            last_seen   BIGINT NOT NULL,
            resolved_at BIGINT,
            fires       BIGINT NOT NULL,
            events      BIGINT NOT NULL,
            version     BIGINT NOT NULL,
            PRIMARY KEY (tenant, source, fingerprint))
        """,
        "CREATE INDEX alert_states_by_last_seen ON alert_states (last_seen)",
        "CREATE INDEX alert_states_by_tenant ON alert_states (tenant, last_seen)",
    ]);

    private static readonly IReadOnlyList<string> EventColumns =
        ["tenant", "source", "fingerprint", "action", "title", "message", "severity", "label_keys", "label_values", "starts_at", "url", "received_at", "version"];

    internal const string Columns = "tenant, source, fingerprint, status, title, message, severity, labels, url, first_seen, last_seen, resolved_at, fires, events, version";

    /// <summary>The columns of <see cref="Columns"/> as parameters.</summary>
    internal static readonly string Parameters = string.Join(", ", Columns.Split(", ").Select(c => "@" + c));

    public async Task WriteAsync(IReadOnlyList<AlertEvent> events, IReadOnlyList<AlertState> states, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(states);
        await database.WriteAsync(
            (connection, transaction) => WriteStatesAsync(connection, transaction, states, cancellationToken),
            () => WriteEventsAsync(events, states, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteStatesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AlertState> states, CancellationToken cancellationToken)
    {
        foreach (var changed in states.GroupBy(s => (s.Tenant, s.Source, s.Fingerprint)))
        {
            // Several events of one alert in a batch: the state before the first, the state after the last.
            var expected = changed.Min(s => s.Version) - 1;
            var state = changed.MaxBy(s => s.Version)!;
            await using var command = connection.Command(
                expected == 0
                    ? $"INSERT INTO alert_states ({Columns}) VALUES ({Parameters}) ON CONFLICT DO NOTHING"
                    : $"UPDATE alert_states SET {string.Join(", ", Columns.Split(", ").Skip(3).Select(c => $"{c} = @{c}"))} "
                      + "WHERE tenant = @tenant AND source = @source AND fingerprint = @fingerprint AND version = @expected",
                transaction);
            Bind(command, state).Bind("@expected", expected);
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                throw new StateConflictException($"alert {state.Source}:{state.Fingerprint} is past version {expected}");
            }
        }

    }

    private async Task WriteEventsAsync(IReadOnlyList<AlertEvent> events, IReadOnlyList<AlertState> states, CancellationToken cancellationToken)
    {
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
                var sorted = e.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToList();
                rows.WriteStringArray(sorted.Select(l => l.Key));
                rows.WriteStringArray(sorted.Select(l => l.Value));
                rows.WriteDateTime(e.StartsAt);
                rows.WriteString(e.Url);
                rows.WriteDateTime(e.ReceivedAt);

                // states[i] is the state events[i] led to (IAlertIntakeStore.WriteAsync).
                rows.WriteUInt64(states.Count == events.Count ? (ulong)states[i].Version : 0);
            }

            await client.InsertRowBinaryAsync("alert_events", EventColumns, (stream, ct) => rows.CopyToAsync(stream, ct), cancellationToken);
        }
    }

    public Task<IReadOnlyList<AlertState>> StatesAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM alert_states WHERE last_seen >= @since", c => c.Bind("@since", since.ToUnixTimeSeconds()), cancellationToken);

    public async Task<IReadOnlyList<AlertState>> FindAsync(string tenant, IReadOnlyCollection<string> alertIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alertIds);
        var found = new List<AlertState>();
        foreach (var chunk in alertIds.Chunk(500))
        {
            var list = string.Join(", ", Enumerable.Range(0, chunk.Length).Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture)));
            found.AddRange(await QueryAsync(
                $"SELECT {Columns} FROM alert_states WHERE tenant = @tenant AND (source || ':' || fingerprint) IN ({list})",
                c =>
                {
                    c.Bind("@tenant", tenant);
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        c.Bind("@p" + i.ToString(CultureInfo.InvariantCulture), chunk[i]);
                    }
                },
                cancellationToken).ConfigureAwait(false));
        }

        return found;
    }

    public Task<IReadOnlyList<AlertState>> ListAsync(string tenant, AlertStateStatus? status, string? source, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            string.Create(CultureInfo.InvariantCulture,
                $"SELECT {Columns} FROM alert_states WHERE tenant = @tenant{(status is null ? "" : " AND status = @status")}{(source is null ? "" : " AND source = @source")} "
                + $"ORDER BY last_seen DESC, fingerprint LIMIT {Math.Clamp(limit, 1, 1_000)}"),
            c => c.Bind("@tenant", tenant).Bind("@status", status is { } s ? (long)s : null).Bind("@source", source),
            cancellationToken);

    internal static DbCommand Bind(DbCommand command, AlertState s) => command
        .Bind("@tenant", s.Tenant).Bind("@source", s.Source).Bind("@fingerprint", s.Fingerprint).Bind("@status", (long)s.Status)
        .Bind("@title", s.Title).Bind("@message", s.Message).Bind("@severity", (long)s.Severity)
        .Bind("@labels", JsonSerializer.Serialize(s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal)))
        .Bind("@url", s.Url).Bind("@first_seen", s.FirstSeen.ToUnixTimeSeconds()).Bind("@last_seen", s.LastSeen.ToUnixTimeSeconds())
        .Bind("@resolved_at", StateRows.SecondsOrNull(s.ResolvedAt)).Bind("@fires", s.Fires).Bind("@events", s.Events).Bind("@version", s.Version);

    private async Task<IReadOnlyList<AlertState>> QueryAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(sql);
        bind(command);
        var result = new List<AlertState>();
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new AlertState
            {
                Tenant = row.GetString(0),
                Source = row.GetString(1),
                Fingerprint = row.GetString(2),
                Status = (AlertStateStatus)StateRows.ReadInt64(row, 3),
                Title = row.GetString(4),
                Message = row.GetString(5),
                Severity = (AlertSeverity)StateRows.ReadInt64(row, 6),
                Labels = JsonSerializer.Deserialize<Dictionary<string, string>>(row.GetString(7)) ?? [],
                Url = row.GetString(8),
                FirstSeen = StateRows.ReadSeconds(row, 9),
                LastSeen = StateRows.ReadSeconds(row, 10),
                ResolvedAt = StateRows.ReadSecondsOrNull(row, 11),
                Fires = (int)StateRows.ReadInt64(row, 12),
                Events = (int)StateRows.ReadInt64(row, 13),
                Version = StateRows.ReadInt64(row, 14),
            });
        }

        return result;
    }
}
