using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Schema;

namespace TaskLens.IntegrationTests.Storage;

[Collection(ClickHouseCollection.Name)]
public sealed class SchemaMigratorTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task Migrate_Twice_AppliesEachBaseStepOnceAndSkipsGatedStepsOn1816()
    {
        var database = "m_" + Guid.NewGuid().ToString("N")[..10];
        var options = new ClickHouseOptions { Url = clickHouse.Url, Database = database };
        using var client = new ClickHouseClient(new HttpClient(ClickHouseClient.CreateHandler()), options, NullLogger<ClickHouseClient>.Instance);
        var migrator = new SchemaMigrator(client, Options.Create(options), NullLogger<SchemaMigrator>.Instance);
        var version = await client.GetServerVersionAsync(CancellationToken.None);

        var first = await migrator.MigrateAsync(CancellationToken.None);
        var second = await migrator.MigrateAsync(CancellationToken.None);

        var expected = SchemaMigrations.All(options.RetentionDays)
            .Where(m => version.IsAtLeast(m.MinServerMajor, m.MinServerMinor))
            .Select(m => m.Id);
        Assert.Equal(expected, first);
        Assert.Empty(second);
        var recorded = await client.QueryAsync("SELECT id FROM schema_migrations ORDER BY id", r => (int)r.GetUInt32("id"), CancellationToken.None);
        Assert.Equal(expected, recorded);
        var tables = await client.QueryAsync("SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name", r => r.GetString("name"), CancellationToken.None);
        Assert.Equal(["alert_events", "alert_states", "alerts", "goal_runs", "grouping_decisions", "incident_alerts", "incident_events", "incidents", "logs", "metric_points", "operation_minutes", "operation_minutes_mv", "schema_migrations", "span_layouts", "spans", "spans_by_trace", "spans_by_trace_mv", "trace_index", "trace_index_mv"], tables);
        if (!version.IsAtLeast(20, 3))
        {
            Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30, 40, 111], first);
        }
    }
}
