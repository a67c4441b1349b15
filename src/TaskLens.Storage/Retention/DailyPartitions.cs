using Microsoft.Extensions.Logging;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Retention;

/// <summary>
/// Moves the tables created partitioned by month (findings, alert events, incident timelines) to partitions by day,
/// so retention can drop whole days: a copy of the table partitioned by day is filled from it, the row counts are
/// compared, then the two are swapped by one RENAME and the old one dropped. Runs at start, after the schema
/// migrations and before this node writes; a table already by day is left alone, so it runs again harmlessly, and an
/// interrupted move starts over (or finishes the swap) at the next start. Rows another node writes during the copy
/// would be missed: upgrade one node first (docs/operations.md#upgrading).
/// </summary>
internal static class DailyPartitions
{
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

    public static async Task<bool> IsDailyAsync(ClickHouseClient client, string table, CancellationToken cancellationToken)
    {
        var statement = await client.QueryAsync($"SHOW CREATE TABLE {table}", row => row.GetString("statement"), cancellationToken);
        return statement.Count == 1 && statement[0].Contains("PARTITION BY toDate(", StringComparison.Ordinal);
    }
}
