using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Incidents;
using TaskLens.Storage.Retention;
using TaskLens.Storage.Schema;
using TaskLens.Storage.State;
using static TaskLens.IntegrationTests.Retention.AgedRows;

namespace TaskLens.IntegrationTests.Retention;

/// <summary>
/// Retention on the ClickHouse here (18.16: no TTL): day partitions older than each signal's limit are dropped and
/// newer ones stay, goal runs past it are deleted, closed incidents past it leave the state database, and a timeline
/// partition holding an entry of an incident still open stays whatever its age. Tables created by month move to days
/// with their rows.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class RetentionJobTests(ClickHouseFixture clickHouse) : IAsyncLifetime, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tasklens-retention-").FullName;
    private ClickHouseOptions _options = null!;
    private ClickHouseClient _client = null!;
    private StateDatabase _state = null!;

    public async Task InitializeAsync()
    {
        var database = await clickHouse.CreateDatabaseAsync();
        _options = new ClickHouseOptions
        {
            Url = clickHouse.Url, Database = database, RetentionDays = 10,
            Retention = new RetentionDays { Logs = 5, Incidents = 20 },
        };
        _client = clickHouse.CreateClient(database);
        await new SchemaMigrator(_client, Options.Create(_options), NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        _state = new StateDatabase(Path.Combine(_directory, "state.db"), TimeSpan.FromSeconds(5), [IncidentStore.Schema, TaskLens.Storage.Alerts.AlertIntakeStore.Schema, TaskLens.Storage.Briefs.BriefStore.Schema]);
        await _state.MigrateAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task RunOnce_On1816_DropsOldDayPartitionsPerSignal_KeepsNewerOnesAndOpenIncidents()
    {
        foreach (var daysAgo in new[] { 30, 8, 3, 0 })
        {
            var at = Seconds(daysAgo);
            await _client.ExecuteAsync($"INSERT INTO logs (tenant, timestamp, body) VALUES ('t', {at}, 'x')", CancellationToken.None);
            await _client.ExecuteAsync($"INSERT INTO spans (tenant, timestamp, name) VALUES ('t', {at}, 'x')", CancellationToken.None);
            await _client.ExecuteAsync($"INSERT INTO alerts (tenant, id, raised_at) VALUES ('t', 'f{daysAgo}', {at})", CancellationToken.None);
            await _client.ExecuteAsync($"INSERT INTO goal_runs (tenant, run_id, ended, version) VALUES ('t', 'r{daysAgo}', {at}, 1)", CancellationToken.None);
        }

        // Timelines: inc-1 open since 40 days ago, inc-2 closed 40 days ago (same day), inc-3 closed 30 days ago, inc-4 closed yesterday.
        await AddIncidentAsync(_client, _state, "inc-1", openedDaysAgo: 40, closedDaysAgo: null);
        await AddIncidentAsync(_client, _state, "inc-2", openedDaysAgo: 40, closedDaysAgo: 40);
        await AddIncidentAsync(_client, _state, "inc-3", openedDaysAgo: 30, closedDaysAgo: 30);
        await AddIncidentAsync(_client, _state, "inc-4", openedDaysAgo: 25, closedDaysAgo: 1);
        var job = new RetentionJob(_client, _state, Options.Create(_options), TimeProvider.System, NullLogger<RetentionJob>.Instance);

        await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal([Day(3), Day(0)], await PartitionsAsync("logs"));
        Assert.Equal([Day(8), Day(3), Day(0)], await PartitionsAsync("spans"));
        Assert.Equal([Day(8), Day(3), Day(0)], await PartitionsAsync("alerts"));
        Assert.Equal([Day(40), Day(25)], await PartitionsAsync("incident_events"));
        Assert.Equal(["inc-1", "inc-4"], await StoredIncidentsAsync(_state));
        var runs = await WaitAsync(() => _client.QueryAsync("SELECT run_id FROM goal_runs ORDER BY run_id", r => r.GetString("run_id"), CancellationToken.None), r => r.Count == 3);
        Assert.Equal(["r0", "r3", "r8"], runs);

        // A second pass finds nothing more to drop.
        Assert.Empty(await job.RunOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task DailyPartitions_TableStillByMonth_MovesToDaysWithEveryRow()
    {
        await _client.ExecuteAsync("RENAME TABLE alert_events TO alert_events_current", CancellationToken.None);
        await _client.ExecuteAsync(
            "CREATE TABLE alert_events AS alert_events_current ENGINE = MergeTree PARTITION BY toYYYYMM(received_at) ORDER BY (tenant, source, fingerprint, received_at)",
            CancellationToken.None);
        await _client.ExecuteAsync("DROP TABLE alert_events_current", CancellationToken.None);
        foreach (var daysAgo in new[] { 70, 40, 1, 0 })
        {
            await _client.ExecuteAsync($"INSERT INTO alert_events (tenant, source, fingerprint, received_at) VALUES ('t', 'am', 'a{daysAgo}', {Seconds(daysAgo)})", CancellationToken.None);
        }

        Assert.False(await DailyPartitions.IsDailyAsync(_client, "alert_events", CancellationToken.None));
        var moved = await DailyPartitions.MoveAsync(_client, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(["alert_events"], moved);
        Assert.True(await DailyPartitions.IsDailyAsync(_client, "alert_events", CancellationToken.None));
        Assert.Equal([Day(70), Day(40), Day(1), Day(0)], await PartitionsAsync("alert_events"));
        var tables = await _client.QueryAsync("SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'alert_events%'", r => r.GetString("name"), CancellationToken.None);
        Assert.Equal(["alert_events"], tables);
        Assert.Empty(await DailyPartitions.MoveAsync(_client, NullLogger.Instance, CancellationToken.None));
    }

    private async Task<List<string>> PartitionsAsync(string table) =>
        (await _client.QueryAsync(
            $"SELECT DISTINCT partition_id FROM system.parts WHERE database = currentDatabase() AND table = '{table}' AND active",
            r => r.GetString("partition_id"), CancellationToken.None))
        .Order(StringComparer.Ordinal).ToList();

    private static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(200);
        }
    }
}
