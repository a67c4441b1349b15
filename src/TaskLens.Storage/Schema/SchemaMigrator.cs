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

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await WaitForServerAsync(cancellationToken);
        await MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        var database = options.Value.Database;
        await client.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {ClickHouseSql.Identifier(database)}", cancellationToken, useDatabase: false);
        await client.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (id UInt32, name String, applied_at DateTime) ENGINE = ReplacingMergeTree() ORDER BY id",
            cancellationToken);

        var applied = await client.QueryAsync("SELECT DISTINCT id FROM schema_migrations", row => (int)row.GetUInt32("id"), cancellationToken);
        var version = await client.GetServerVersionAsync(cancellationToken);
        var newlyApplied = new List<int>();
        foreach (var migration in SchemaMigrations.All(options.Value.RetentionDays))
        {
            if (applied.Contains(migration.Id))
            {
                continue;
            }

            if (!version.IsAtLeast(migration.MinServerMajor, migration.MinServerMinor))
            {
                StorageLog.MigrationSkipped(logger, migration.Id, migration.Name, version.ToString());
                continue;
            }

            foreach (var statement in migration.Statements)
            {
                try
                {
                    await client.ExecuteAsync(statement, cancellationToken);
                }
                catch (ClickHouseException e) when (e.Code == DuplicateColumn && statement.Contains(" ADD COLUMN ", StringComparison.Ordinal))
                {
                    // 18.16 has no ADD COLUMN IF NOT EXISTS: a crash between this step and its record left the column
                    // in place, which is what the step wanted.
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
        await Retention.DailyPartitions.MoveAsync(client, logger, cancellationToken);
        return newlyApplied;
    }

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
