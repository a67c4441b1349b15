using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskLens.Storage.Alerts;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Incidents;
using TaskLens.Storage.Retention;
using TaskLens.Storage.Schema;
using TaskLens.Storage.State;
using static TaskLens.IntegrationTests.Retention.AgedRows;

namespace TaskLens.IntegrationTests.Cluster;

/// <summary>
/// Retention over a cluster on 18.16: a database created in cluster mode, rows of several days written through the
/// Distributed tables (spread over every shard), one pass of the retention job through server 0, then each server's
/// local tables read directly: the days past each signal's limit are gone on every server, newer days stay, goal runs
/// past their limit are deleted on every server, and timeline days holding an open incident stay.
/// </summary>
internal sealed class ClusterRetention : IAsyncDisposable
{
    private static readonly int[] DaysAgo = [30, 8, 3, 0];
    private readonly ClickHouseClusterFixture _cluster;
    private readonly string _directory = Directory.CreateTempSubdirectory("tasklens-cluster-retention-").FullName;
    private readonly StateDatabase _state;
    private readonly ClickHouseOptions _options;
    private readonly ClickHouseClient _client;

    public ClusterRetention(ClickHouseClusterFixture cluster)
    {
        _cluster = cluster;
        _options = new ClickHouseOptions
        {
            Url = cluster.Urls[0], Database = "r_" + Guid.NewGuid().ToString("N")[..12], Cluster = ClickHouseClusterFixture.ClusterName,
            RequestTimeout = TimeSpan.FromSeconds(60), RetentionDays = 10, Retention = new RetentionDays { Logs = 5, Incidents = 20 },
        };
        _client = new ClickHouseClient(new HttpClient(ClickHouseClient.CreateHandler()), _options, NullLogger<ClickHouseClient>.Instance);
        _state = new StateDatabase(Path.Combine(_directory, "state.db"), TimeSpan.FromSeconds(5), [IncidentStore.Schema, AlertIntakeStore.Schema, TaskLens.Storage.Briefs.BriefStore.Schema]);
    }

    /// <summary>What each server held per table before the pass: (server, table) → partition ids, or goal run ids.</summary>
    private Dictionary<(int Server, string Table), List<string>> Before { get; } = [];

    private async Task ArrangeAsync()
    {
        await new SchemaMigrator(_client, Options.Create(_options), NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        await _state.MigrateAsync(CancellationToken.None);

        // Twenty services, traces, findings and runs a day, so every shard holds every day (checked below, not assumed).
        foreach (var daysAgo in DaysAgo)
        {
            var at = Seconds(daysAgo);
            var rows = Enumerable.Range(0, 20).ToList();
            await ExecuteAsync($"INSERT INTO logs (tenant, service_name, timestamp, trace_id, body) VALUES {string.Join(", ", rows.Select(i => $"('t', 's{i}', {at}, '{TraceId(daysAgo, i)}', 'x')"))}");
            await ExecuteAsync($"INSERT INTO spans (tenant, timestamp, trace_id, span_id, name) VALUES {string.Join(", ", rows.Select(i => $"('t', {at}, '{TraceId(daysAgo, i)}', 'span0001', 'x')"))}");
            await ExecuteAsync($"INSERT INTO alerts (tenant, id, raised_at) VALUES {string.Join(", ", rows.Select(i => $"('t', 'f{daysAgo}-{i}', {at})"))}");
            await ExecuteAsync($"INSERT INTO goal_runs (tenant, run_id, ended, version) VALUES {string.Join(", ", rows.Select(i => $"('t', 'r{daysAgo}-{i}', {at}, 1)"))}");
        }

        // Timelines: inc-1 open since 40 days ago, inc-2 closed 40 days ago (same day), inc-3 closed 30 days ago, inc-4 closed yesterday.
        await AddIncidentAsync(_client, _state, "inc-1", openedDaysAgo: 40, closedDaysAgo: null);
        await AddIncidentAsync(_client, _state, "inc-2", openedDaysAgo: 40, closedDaysAgo: 40);
        await AddIncidentAsync(_client, _state, "inc-3", openedDaysAgo: 30, closedDaysAgo: 30);
        await AddIncidentAsync(_client, _state, "inc-4", openedDaysAgo: 25, closedDaysAgo: 1);

        for (var server = 0; server < _cluster.Urls.Count; server++)
        {
            foreach (var table in new[] { "logs", "spans", "alerts", "incident_events" })
            {
                Before[(server, table)] = await WaitForReplicasAsync(server, s => PartitionsAsync(s, table));
            }

            Before[(server, "goal_runs")] = await WaitForReplicasAsync(server, RunIdsAsync);
        }
    }

    /// <summary>
    /// One pass, then each server's own copy read directly: what it held minus the days past each limit, and no more;
    /// a second pass finds nothing to drop.
    /// </summary>
    public async Task AssertRetentionOnEveryServerAsync()
    {
        await ArrangeAsync();

        var dropped = await RunOnceAsync();

        Assert.Contains(dropped, d => d.StartsWith("logs partition ", StringComparison.Ordinal));
        Assert.Contains(dropped, d => d.StartsWith("goal_runs ", StringComparison.Ordinal));
        await AssertEachServerKeptOnlyRecentDataAsync();
        Assert.Empty(await RunOnceAsync());
    }

    private Task<IReadOnlyList<string>> RunOnceAsync() =>
        new RetentionJob(_client, _state, Options.Create(_options), TimeProvider.System, NullLogger<RetentionJob>.Instance).RunOnceAsync(CancellationToken.None);

    private async Task AssertEachServerKeptOnlyRecentDataAsync()
    {
        for (var server = 0; server < _cluster.Urls.Count; server++)
        {
            // Every server held an old and a recent day of each table, or the checks below could not fail.
            Assert.All(new[] { "logs", "spans", "alerts" }, table => Assert.Equal(DaysAgo.Select(Day), Before[(server, table)]));
            Assert.Contains(Before[(server, "goal_runs")], id => id.StartsWith("r30-", StringComparison.Ordinal));

            await AssertPartitionsAsync(server, "logs", [Day(3), Day(0)]);
            await AssertPartitionsAsync(server, "spans", [Day(8), Day(3), Day(0)]);
            await AssertPartitionsAsync(server, "alerts", [Day(8), Day(3), Day(0)]);

            // Day 40 holds the open inc-1 (on whichever shard), so it stays wherever it is; day 30 held only closed inc-3.
            await AssertPartitionsAsync(server, "incident_events", [Day(40), Day(25)]);

            var runs = await WaitAsync(() => RunIdsAsync(server), ids => !ids.Any(id => id.StartsWith("r30-", StringComparison.Ordinal)));
            Assert.Equal(Before[(server, "goal_runs")].Where(id => !id.StartsWith("r30-", StringComparison.Ordinal)).Order(StringComparer.Ordinal), runs);
        }

        var timelines = new HashSet<string>(StringComparer.Ordinal);
        for (var server = 0; server < _cluster.Urls.Count; server++)
        {
            using var client = _cluster.CreateClient(server, _options.Database);
            timelines.UnionWith(await client.QueryAsync("SELECT incident_id FROM incident_events_local", r => r.GetString("incident_id"), CancellationToken.None));
        }

        Assert.Contains("inc-1", timelines);
        Assert.Contains("inc-4", timelines);
        Assert.DoesNotContain("inc-3", timelines);
        Assert.Equal(["inc-1", "inc-4"], await StoredIncidentsAsync(_state));
    }

    /// <summary>
    /// <c>alert_events</c> as a cluster made by an earlier TaskLens has it (replicated, by month), rows of four days over
    /// two months: the move at start leaves it by day on every server, each server holding the same rows as before.
    /// </summary>
    public async Task AssertMonthlyTableMovesToDaysOnEveryServerAsync()
    {
        var (database, cluster) = (_options.Database, ClickHouseClusterFixture.ClusterName);
        await new SchemaMigrator(_client, Options.Create(_options), NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        await ExecuteAsync($"DROP TABLE {database}.alert_events_local ON CLUSTER {cluster}");
        await ExecuteAsync(
            $"CREATE TABLE {database}.alert_events_local ON CLUSTER {cluster} AS {database}.alert_events ENGINE = ReplicatedMergeTree('/clickhouse/tables/{{shard}}/{database}/alert_events_local/old', '{{replica}}') "
            + "PARTITION BY toYYYYMM(received_at) ORDER BY (tenant, source, fingerprint, received_at)");
        var days = new[] { 70, 40, 1, 0 };
        foreach (var daysAgo in days)
        {
            await ExecuteAsync($"INSERT INTO alert_events (tenant, source, fingerprint, received_at) VALUES {string.Join(", ", Enumerable.Range(0, 20).Select(i => $"('t', 'am', 'a{daysAgo}-{i}', {Seconds(daysAgo)})"))}");
        }

        var before = new List<List<string>>();
        for (var server = 0; server < _cluster.Urls.Count; server++)
        {
            before.Add(await WaitForReplicasAsync(server, AlertEventDaysAsync));
            Assert.Equal(days.Select(Day), before[server].Select(d => d[..8]).Distinct());
            using var client = _cluster.CreateClient(server, database);
            Assert.False(await DailyPartitions.IsDailyAsync(client, "alert_events_local", CancellationToken.None));
        }

        var moved = await DailyPartitions.MoveOnClusterAsync(_client, _options, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(["alert_events"], moved);
        for (var server = 0; server < _cluster.Urls.Count; server++)
        {
            using var client = _cluster.CreateClient(server, database);
            Assert.True(await DailyPartitions.IsDailyAsync(client, "alert_events_local", CancellationToken.None));
            Assert.Equal(before[server], await WaitAsync(() => AlertEventDaysAsync(server), d => d.SequenceEqual(before[server])));
            await AssertPartitionsAsync(server, "alert_events", days.Select(Day).ToArray(), days.Select(Day).ToList());
            var tables = await client.QueryAsync("SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'alert_events%' ORDER BY name", r => r.GetString("name"), CancellationToken.None);
            Assert.Equal(["alert_events", "alert_events_local"], tables);
        }

        Assert.Empty(await DailyPartitions.MoveOnClusterAsync(_client, _options, NullLogger.Instance, CancellationToken.None));
    }

    public async ValueTask DisposeAsync()
    {
        await _state.DisposeAsync();
        _client.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task AssertPartitionsAsync(int server, string table, string[] kept, List<string>? before = null)
    {
        var expected = (before ?? Before[(server, table)]).Where(kept.Contains).Order(StringComparer.Ordinal).ToList();

        // A replica applies a drop from the replication log, a moment after the one that took the DDL.
        var partitions = await WaitAsync(() => PartitionsAsync(server, table), p => p.SequenceEqual(expected));
        Assert.Equal(expected, partitions);
    }

    private Task ExecuteAsync(string sql) => _client.ExecuteAsync(sql, CancellationToken.None);

    private async Task<List<string>> PartitionsAsync(int server, string table)
    {
        using var client = _cluster.CreateClient(server, _options.Database);
        return (await client.QueryAsync(
                $"SELECT DISTINCT partition_id FROM system.parts WHERE database = currentDatabase() AND table = '{table}_local' AND active",
                r => r.GetString("partition_id"), CancellationToken.None))
            .Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Each alert event's day and fingerprint, as one server holds them.</summary>
    private async Task<List<string>> AlertEventDaysAsync(int server)
    {
        using var client = _cluster.CreateClient(server, _options.Database);
        return (await client.QueryAsync("SELECT concat(toString(toYYYYMMDD(received_at)), ' ', fingerprint) AS e FROM alert_events_local", r => r.GetString("e"), CancellationToken.None))
            .Order(StringComparer.Ordinal).ToList();
    }

    private async Task<List<string>> RunIdsAsync(int server)
    {
        using var client = _cluster.CreateClient(server, _options.Database);
        return (await client.QueryAsync("SELECT run_id FROM goal_runs_local", r => r.GetString("run_id"), CancellationToken.None))
            .Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// A read of one server, once its replica (in the one-shard fixture) reads the same: replication is asynchronous.
    /// </summary>
    private async Task<List<string>> WaitForReplicasAsync(int server, Func<int, Task<List<string>>> read)
    {
        if (_cluster is not ReplicatedClusterFixture)
        {
            return await read(server);
        }

        return await WaitAsync(() => read(server), async value => value.SequenceEqual(await read(1 - server)));
    }

    private static Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done) => WaitAsync(read, value => Task.FromResult(done(value)));

    private static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var value = await read();
            if (await done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(300);
        }
    }

    private static string TraceId(int daysAgo, int i) => string.Create(CultureInfo.InvariantCulture, $"trace-{daysAgo:000}-{i:00000}x");
}
