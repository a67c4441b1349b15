using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Schema;

/// <summary>
/// Applies pending migrations at start-up, before the receivers open, and records each in
/// <c>schema_migrations</c>. Every statement is idempotent (IF NOT EXISTS, MODIFY, or ADD COLUMN whose "already
/// exists" is taken as done), so two nodes starting together, or a crash between a statement and its record, only
/// repeat harmless work.
/// </summary>
internal sealed class SchemaMigrator(
    ClickHouseClient client,
    IOptions<ClickHouseOptions> options,
    ILogger<SchemaMigrator> logger) : IHostedService
{
    private static readonly TimeSpan ServerWait = TimeSpan.FromSeconds(60);
    private const int DuplicateColumn = 15;
    private const int IllegalColumn = 44;
    private const string JournalTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (id UInt32, name String, applied_at DateTime) ENGINE = ReplacingMergeTree() ORDER BY id";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await WaitForServerAsync(cancellationToken);
        await MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var cluster = settings.IsCluster ? new ClusterSchema(settings.Cluster!, settings.Database, settings.ReplicationPath) : null;
        await CreateDatabaseAndJournalAsync(cluster, cancellationToken);

        var applied = await client.QueryAsync("SELECT DISTINCT id FROM schema_migrations", row => (int)row.GetUInt32("id"), cancellationToken);
        var version = await client.GetServerVersionAsync(cancellationToken);
        var newlyApplied = new List<int>();
        foreach (var migration in SchemaMigrations.All(settings.RetentionDays))
        {
            // Rewritten even when applied or skipped: the cluster form learns each table's sharding key as it goes.
            var statements = cluster is null ? migration.Statements : cluster.Rewrite(migration);
            if (applied.Contains(migration.Id))
            {
                continue;
            }

            if (!version.IsAtLeast(migration.MinServerMajor, migration.MinServerMinor))
            {
                StorageLog.MigrationSkipped(logger, migration.Id, migration.Name, version.ToString());
                continue;
            }

            foreach (var statement in statements)
            {
                try
                {
                    await client.ExecuteAsync(statement, cancellationToken);
                }
                catch (ClickHouseException e) when (IsDuplicateColumn(e) && statement.Contains(" ADD COLUMN ", StringComparison.Ordinal))
                {
                    // 18.16 has no ADD COLUMN IF NOT EXISTS: a crash between this step and its record, or another node
                    // running the same step at once, left the column in place, which is what the step wanted.
                }
            }

            await client.ExecuteAsync(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"INSERT INTO schema_migrations (id, name, applied_at) VALUES ({migration.Id}, {ClickHouseSql.Literal(migration.Name)}, now())"),
                cancellationToken);
            StorageLog.MigrationApplied(logger, migration.Id, migration.Name);
            newlyApplied.Add(migration.Id);
        }

        // Tables created partitioned by month move to days, so retention drops whole days (docs/operations.md#retention).
        // A new cluster creates them by day (ClusterSchema); one made by an earlier version is moved.
        if (cluster is null)
        {
            await Retention.DailyPartitions.MoveAsync(client, logger, cancellationToken);
        }
        else
        {
            await Retention.DailyPartitions.MoveOnClusterAsync(client, settings, logger, cancellationToken);
        }

        return newlyApplied;
    }

    /// <summary>
    /// The database and the journal of applied steps. In cluster mode both are created ON CLUSTER, and only when this
    /// server lacks them: distributed DDL waits for every server, so a start-up while another is down must not send any
    /// once the schema is in place.
    /// </summary>
    private async Task CreateDatabaseAndJournalAsync(ClusterSchema? cluster, CancellationToken cancellationToken)
    {
        var database = options.Value.Database;
        if (cluster is null)
        {
            await client.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {ClickHouseSql.Identifier(database)}", cancellationToken, useDatabase: false);
            await client.ExecuteAsync(JournalTable, cancellationToken);
            return;
        }

        var journal = cluster.Rewrite(0, JournalTable);
        var present = await client.QueryAsync(
            $"SELECT count() AS n FROM system.tables WHERE database = {ClickHouseSql.Literal(database)} AND name = 'schema_migrations'",
            row => row.GetUInt64("n"),
            cancellationToken,
            useDatabase: false);
        if (present.Count == 1 && present[0] > 0)
        {
            return;
        }

        await client.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {database} ON CLUSTER {options.Value.Cluster}", cancellationToken, useDatabase: false);
        foreach (var statement in journal)
        {
            await client.ExecuteAsync(statement, cancellationToken);
        }
    }

    /// <summary>
    /// DUPLICATE_COLUMN (15); a replicated table on 18.16 says ILLEGAL_COLUMN (44) "… already exists" instead, also
    /// when a distributed DDL task relays it from another server.
    /// </summary>
    private static bool IsDuplicateColumn(ClickHouseException e) =>
        e.Code == DuplicateColumn || (e.Code == IllegalColumn && e.ServerMessage.Contains("already exists", StringComparison.Ordinal));

    private async Task WaitForServerAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ServerWait;
        while (!await client.PingAsync(cancellationToken))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"ClickHouse at {options.Value.Url} did not answer /ping within {ServerWait.TotalSeconds:0} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }
}
