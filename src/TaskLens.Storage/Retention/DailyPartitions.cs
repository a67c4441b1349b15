using System.Globalization;
using Microsoft.Extensions.Logging;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Schema;

namespace TaskLens.Storage.Retention;

/// <summary>
/// Moves the tables created partitioned by month (findings, alert events, incident timelines) to partitions by day,
/// so retention can drop whole days: a copy of the table partitioned by day is filled from it, the row counts are
/// compared, then the two are swapped by one RENAME and the old one dropped. Runs at start, after the schema
/// migrations and before this node writes; a table already by day is left alone, so it runs again harmlessly, and an
/// interrupted move starts over (or finishes the swap) at the next start. Rows another node writes during the copy
/// would be missed: upgrade one node first (docs/operations.md#upgrading). A cluster has its own move
/// (<see cref="MoveOnClusterAsync(ClickHouseClient, ClickHouseOptions, ILogger, CancellationToken)"/>).
/// </summary>
internal static class DailyPartitions
{
    private static readonly TimeSpan CopyWait = TimeSpan.FromSeconds(30);

    public static async Task<IReadOnlyList<string>> MoveAsync(ClickHouseClient client, ILogger logger, CancellationToken cancellationToken)
    {
        var moved = new List<string>();
        foreach (var table in RetainedTable.All.Where(t => t.DailyEngine is not null))
        {
            if (await MoveAsync(client, table, cancellationToken))
            {
                StorageLog.MovedToDailyPartitions(logger, table.Name);
                moved.Add(table.Name);
            }
        }

        return moved;
    }

    /// <summary>Moves one table; false when it was partitioned by day already or the copy did not match (logged by the caller's next run).</summary>
    internal static async Task<bool> MoveAsync(ClickHouseClient client, RetainedTable table, CancellationToken cancellationToken)
    {
        var name = table.Name;
        var byDay = name + "_by_day";
        var tables = await client.QueryAsync(
            $"SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN ({ClickHouseSql.Literal(name)}, {ClickHouseSql.Literal(byDay)})",
            row => row.GetString("name"), cancellationToken);
        if (!tables.Contains(name))
        {
            // Interrupted between the two renames of the swap: the filled copy takes the name.
            if (tables.Contains(byDay))
            {
                await client.ExecuteAsync($"RENAME TABLE {byDay} TO {name}", cancellationToken);
                return true;
            }

            return false;
        }

        if (await IsDailyAsync(client, name, cancellationToken))
        {
            return false;
        }

        await client.ExecuteAsync($"DROP TABLE IF EXISTS {byDay}", cancellationToken);
        await client.ExecuteAsync($"CREATE TABLE {byDay} AS {name} ENGINE = {table.DailyEngine}", cancellationToken);
        await client.ExecuteAsync($"INSERT INTO {byDay} SELECT * FROM {name}", cancellationToken);
        // Replacing tables may fold copies in the new table's merges at any moment: compare what FINAL reads.
        var final = table.DailyEngine!.StartsWith("Replacing", StringComparison.Ordinal) ? " FINAL" : "";
        var counts = await client.QueryAsync(
            $"SELECT (SELECT count() FROM {name}{final}) AS before, (SELECT count() FROM {byDay}{final}) AS after",
            row => (Before: row.GetInt64("before"), After: row.GetInt64("after")), cancellationToken);
        if (counts[0].Before != counts[0].After)
        {
            // Written to meanwhile: leave the old table in place; the next start tries again.
            await client.ExecuteAsync($"DROP TABLE IF EXISTS {byDay}", cancellationToken);
            return false;
        }

        await client.ExecuteAsync($"RENAME TABLE {name} TO {name}_by_month, {byDay} TO {name}", cancellationToken);
        await client.ExecuteAsync($"DROP TABLE {name}_by_month", cancellationToken);
        return true;
    }

    /// <summary>
    /// The move in cluster mode, for a cluster made by an earlier TaskLens (a new one is created by day): a replicated
    /// copy by day at its own ZooKeeper path and a Distributed table over it with the table's sharding key, filled
    /// through the Distributed tables (each row lands on the shard it came from), counted once the replicas caught up,
    /// then swapped by one <c>RENAME … ON CLUSTER</c>; the Distributed table of the plain name finds the new local table
    /// by name. Nothing is sent when this server's table is by day already, so a start while a server is down sends no
    /// DDL. A move that fails is logged and tried again at the next start; retention drops whole months meanwhile.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MoveOnClusterAsync(ClickHouseClient client, ClickHouseOptions settings, ILogger logger, CancellationToken cancellationToken)
    {
        var schema = new ClusterSchema(settings.Cluster!, settings.Database, settings.ReplicationPath);
        var moved = new List<string>();
        foreach (var table in RetainedTable.All.Where(t => t.DailyEngine is not null))
        {
            try
            {
                if (await MoveOnClusterAsync(client, schema, settings, table, cancellationToken))
                {
                    StorageLog.MovedToDailyPartitions(logger, table.Name);
                    moved.Add(table.Name);
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                StorageLog.MoveToDailyPartitionsFailed(logger, table.Name, e);
            }
        }

        return moved;
    }

    private static async Task<bool> MoveOnClusterAsync(
        ClickHouseClient client, ClusterSchema schema, ClickHouseOptions settings, RetainedTable table, CancellationToken cancellationToken)
    {
        var (name, database, onCluster) = (table.Name, settings.Database, $" ON CLUSTER {settings.Cluster}");
        var (local, byDayLocal, byMonthLocal) = (schema.Local(name), schema.Local(name + "_by_day"), schema.Local(name + "_by_month"));
        var byDay = $"{database}.{name}_by_day";
        var tables = await client.QueryAsync(
            $"SELECT name, engine_full FROM system.tables WHERE database = {ClickHouseSql.Literal(database)} AND name IN ({ClickHouseSql.Literal(name)}, {ClickHouseSql.Literal(name + ClusterSchema.LocalSuffix)}, {ClickHouseSql.Literal(name + "_by_month" + ClusterSchema.LocalSuffix)})",
            row => (Name: row.GetString("name"), Engine: row.GetString("engine_full")), cancellationToken);
        var distributed = tables.FirstOrDefault(t => t.Name == name).Engine;
        if (distributed is null || !tables.Any(t => t.Name == name + ClusterSchema.LocalSuffix))
        {
            return false;
        }

        if (await IsDailyAsync(client, local, cancellationToken))
        {
            // Swapped, but the old table's drop did not run: finish it.
            if (tables.Any(t => t.Name == name + "_by_month" + ClusterSchema.LocalSuffix))
            {
                await client.ExecuteAsync($"DROP TABLE IF EXISTS {byMonthLocal}{onCluster}", cancellationToken);
            }

            return false;
        }

        var engine = table.DailyEngine!.Split(' ', 2);
        var leaf = string.Create(CultureInfo.InvariantCulture, $"by_day_{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}");
        foreach (var statement in new[]
        {
            $"DROP TABLE IF EXISTS {byDay}{onCluster}",
            $"DROP TABLE IF EXISTS {byDayLocal}{onCluster}",
            $"CREATE TABLE {byDayLocal}{onCluster} AS {local} ENGINE = {schema.ReplicatedEngine(name, leaf, engine[0], "")} {engine[1]}",
            $"CREATE TABLE {byDay}{onCluster} AS {byDayLocal} ENGINE = {distributed.Replace($", {name}{ClusterSchema.LocalSuffix},", $", {name}_by_day{ClusterSchema.LocalSuffix},", StringComparison.Ordinal)}",
            $"INSERT INTO {byDay} SELECT * FROM {database}.{name}",
        })
        {
            await client.ExecuteAsync(statement, cancellationToken);
        }

        // A shard's other replica fetches the copy a moment later, and a read may ask either: wait for the counts to meet.
        var final = engine[0].StartsWith("Replacing", StringComparison.Ordinal) ? " FINAL" : "";
        var deadline = DateTime.UtcNow + CopyWait;
        while (await CountAsync(client, $"{database}.{name}{final}", cancellationToken) is var before
            && await CountAsync(client, $"{byDay}{final}", cancellationToken) is var after && before != after)
        {
            if (DateTime.UtcNow > deadline)
            {
                // Written to meanwhile, or a replica far behind: leave the old table in place; the next start tries again.
                await client.ExecuteAsync($"DROP TABLE IF EXISTS {byDay}{onCluster}", cancellationToken);
                await client.ExecuteAsync($"DROP TABLE IF EXISTS {byDayLocal}{onCluster}", cancellationToken);
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"the copy holds {after} rows, the table {before}, after {CopyWait.TotalSeconds:0} s"));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }

        await client.ExecuteAsync($"RENAME TABLE {local} TO {byMonthLocal}, {byDayLocal} TO {local}{onCluster}", cancellationToken);
        await client.ExecuteAsync($"DROP TABLE IF EXISTS {byDay}{onCluster}", cancellationToken);
        await client.ExecuteAsync($"DROP TABLE IF EXISTS {byMonthLocal}{onCluster}", cancellationToken);
        return true;
    }

    private static async Task<ulong> CountAsync(ClickHouseClient client, string table, CancellationToken cancellationToken) =>
        (await client.QueryAsync($"SELECT count() AS n FROM {table}", row => row.GetUInt64("n"), cancellationToken))[0];

    public static async Task<bool> IsDailyAsync(ClickHouseClient client, string table, CancellationToken cancellationToken)
    {
        var statement = await client.QueryAsync($"SHOW CREATE TABLE {table}", row => row.GetString("statement"), cancellationToken);
        return statement.Count == 1 && statement[0].Contains("PARTITION BY toDate(", StringComparison.Ordinal);
    }
}
