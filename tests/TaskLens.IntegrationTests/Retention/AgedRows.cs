using System.Globalization;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.State;

namespace TaskLens.IntegrationTests.Retention;

/// <summary>Rows dated some days back for retention tests: timeline entries in ClickHouse, incident states in the state store.</summary>
internal static class AgedRows
{
    private static readonly DateTimeOffset Today = new(DateTime.UtcNow.Date, TimeSpan.Zero);

    /// <summary>Noon of the day <paramref name="daysAgo"/> days back, in unix seconds.</summary>
    public static string Seconds(int daysAgo) => Today.AddDays(-daysAgo).AddHours(12).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The partition id of that day.</summary>
    public static string Day(int daysAgo) => Today.AddDays(-daysAgo).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>An incident opened <paramref name="openedDaysAgo"/> days back (its first timeline entry then), open or closed later.</summary>
    public static async Task AddIncidentAsync(ClickHouseClient client, StateDatabase state, string id, int openedDaysAgo, int? closedDaysAgo)
    {
        await client.ExecuteAsync($"INSERT INTO incident_events (tenant, incident_id, version, kind, at) VALUES ('t', '{id}', 1, 1, {Seconds(openedDaysAgo)})", CancellationToken.None);
        var updated = closedDaysAgo ?? openedDaysAgo;
        await using var connection = await state.OpenAsync(CancellationToken.None);
        await using var insert = connection.CreateCommand();
        insert.CommandText = $"""
            INSERT INTO incidents (tenant, id, number, title, status, severity, severity_by_person, assignee, goals, services, alerts, firing_alerts,
                                   opened_at, updated_at, resolved_by, merged_into, version, triage_version)
            VALUES ('t', '{id}', {id[4..]}, 'x', {(closedDaysAgo is null ? 1 : 3)}, 2, 0, '', '', '', 1, 0, {Seconds(openedDaysAgo)}, {Seconds(updated)}, '', '', 1, 0)
            """;
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>The ids of the incidents the state store still holds, in order.</summary>
    public static async Task<List<string>> StoredIncidentsAsync(StateDatabase state)
    {
        await using var connection = await state.OpenAsync(CancellationToken.None);
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT id FROM incidents ORDER BY id";
        var ids = new List<string>();
        await using var row = await select.ExecuteReaderAsync();
        while (await row.ReadAsync())
        {
            ids.Add(row.GetString(0));
        }

        return ids;
    }
}
