using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Schema;
using TaskLens.Storage.State;

namespace TaskLens.Storage.Retention;

/// <summary>
/// Ages data out per signal (<see cref="RetentionDays"/>). On servers with TTL (20.3 and later) each table gets a TTL of
/// its signal's days; on older ones (Debian's 18.16) whole day partitions older than the limit are dropped, and goal
/// runs (one partition) are deleted by a mutation. Incident timelines go by partition everywhere, and only when no
/// incident with entries in the partition is still open or changed within the limit; closed incidents past it leave
/// the state database with their memberships, as do resolved alert states past the findings limit.
/// In cluster mode every statement names the servers' <c>NAME_local</c> tables <c>ON CLUSTER</c> (a Distributed table
/// holds no partitions), partitions are listed on one replica of every shard, and what is counted or kept is read
/// through the Distributed tables.
/// </summary>
internal sealed class RetentionJob(
    ClickHouseClient client, StateDatabase state, IOptions<ClickHouseOptions> options, TimeProvider time, ILogger<RetentionJob> logger) : BackgroundService
{
    private const int TtlMajor = 20;
    private const int TtlMinor = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Settings.Retention.Enabled)
        {
            return;
        }

        // A moment after start: the node's first work is taking traffic.
        var delay = TimeSpan.FromMinutes(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, time, stoppingToken);
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                StorageLog.RetentionFailed(logger, e);
            }

            delay = Settings.Retention.Interval;
        }
    }

    private ClickHouseOptions Settings => options.Value;

    /// <summary>The table an ALTER names: the servers' local tables, all of them, in cluster mode.</summary>
    private string AlterTarget(RetainedTable table) =>
        Settings.IsCluster ? $"{Settings.Database}.{table.Name}{ClusterSchema.LocalSuffix} ON CLUSTER {Settings.Cluster}" : table.Name;

    /// <summary>The table holding the rows on a server: the local one in cluster mode.</summary>
    private string StoredTable(RetainedTable table) =>
        Settings.IsCluster ? $"{Settings.Database}.{table.Name}{ClusterSchema.LocalSuffix}" : table.Name;

    /// <summary>One pass over every table; returns what went (<c>table partition</c>, <c>table TTL n days</c>, …).</summary>
    internal async Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var done = new List<string>();
        var now = time.GetUtcNow();
        var settings = Settings;
        var ttl = (await client.GetServerVersionAsync(cancellationToken)).IsAtLeast(TtlMajor, TtlMinor);
        foreach (var table in RetainedTable.All)
        {
            var days = table.Days(settings.Retention) ?? settings.RetentionDays;
            var cutoff = now - TimeSpan.FromDays(days);
            if (table.IsTimeline)
            {
                var kept = await KeptIncidentsAsync(cutoff, cancellationToken);
                done.AddRange(await DropPartitionsAsync(table, cutoff, kept, cancellationToken));
                done.AddRange(await DeleteClosedIncidentsAsync(cutoff, cancellationToken));
            }
            else if (ttl)
            {
                done.AddRange(await SetTtlAsync(table, days, cancellationToken));
            }
            else if (table.HasNoPartitions)
            {
                done.AddRange(await DeleteRowsAsync(table, cutoff, cancellationToken));
            }
            else
            {
                done.AddRange(await DropPartitionsAsync(table, cutoff, null, cancellationToken));
            }

            if (table.Name == "alert_events")
            {
                done.AddRange(await DeleteResolvedAlertStatesAsync(cutoff, cancellationToken));
            }
        }

        foreach (var what in done)
        {
            StorageLog.RetentionDropped(logger, what);
        }

        return done;
    }

    /// <summary>
    /// Drops the table's partitions whose every day is older than the cutoff: day partitions (<c>YYYYMMDD</c>), and
    /// month ones (<c>YYYYMM</c>) of a table not yet moved to days. With <paramref name="kept"/>, a partition holding
    /// an entry of a kept incident stays.
    /// </summary>
    private async Task<List<string>> DropPartitionsAsync(RetainedTable table, DateTimeOffset cutoff, HashSet<(string, string)>? kept, CancellationToken cancellationToken)
    {
        var dropped = new List<string>();
        var firstKeptDay = DateOnly.FromDateTime(cutoff.UtcDateTime);
        // In cluster mode from one replica of every shard (cluster() picks a live one): a shard holds its own days.
        var parts = Settings.IsCluster ? $"cluster({ClickHouseSql.Literal(Settings.Cluster!)}, system.parts)" : "system.parts";
        var stored = Settings.IsCluster ? table.Name + ClusterSchema.LocalSuffix : table.Name;
        var partitions = await client.QueryWithTableFunctionAsync(
            $"SELECT DISTINCT partition_id FROM {parts} WHERE database = {ClickHouseSql.Literal(Settings.Database)} AND table = {ClickHouseSql.Literal(stored)} AND active",
            row => row.GetString("partition_id"), cancellationToken);
        foreach (var id in partitions.Order(StringComparer.Ordinal))
        {
            string literal;
            string where;
            if (id.Length == 8 && DateOnly.TryParseExact(id, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day < firstKeptDay)
            {
                literal = ClickHouseSql.Literal(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                where = $"toDate({table.Column}) = {literal}";
            }
            else if (id.Length == 6 && DateOnly.TryParseExact(id + "01", "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month)
                && month.AddMonths(1) <= firstKeptDay)
            {
                literal = id;
                where = $"toYYYYMM({table.Column}) = {id}";
            }
            else
            {
                continue;
            }

            if (kept is not null)
            {
                var incidents = await client.QueryAsync(
                    $"SELECT DISTINCT tenant, incident_id FROM {table.Name} WHERE {where}",
                    row => (row.GetString("tenant"), row.GetString("incident_id")), cancellationToken);
                if (incidents.Any(kept.Contains))
                {
                    continue;
                }
            }

            await client.ExecuteAsync($"ALTER TABLE {AlterTarget(table)} DROP PARTITION {literal}", cancellationToken);
            dropped.Add($"{table.Name} partition {id}");
        }

        return dropped;
    }

    private async Task<List<string>> SetTtlAsync(RetainedTable table, int days, CancellationToken cancellationToken)
    {
        var column = table.Name == "trace_index" ? "end" : table.Column;
        var expression = string.Create(CultureInfo.InvariantCulture, $"{column} + toIntervalDay({days})");
        var statement = await client.QueryAsync($"SHOW CREATE TABLE {StoredTable(table)}", row => row.GetString("statement"), cancellationToken);

        // Set only when it changes: on current releases a new TTL rewrites the table's parts.
        if (statement.Count == 1 && statement[0].Contains("TTL " + expression, StringComparison.Ordinal))
        {
            return [];
        }

        await client.ExecuteAsync($"ALTER TABLE {AlterTarget(table)} MODIFY TTL {expression}", cancellationToken);
        return [$"{table.Name} TTL {days} days"];
    }

    private async Task<List<string>> DeleteRowsAsync(RetainedTable table, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var before = string.Create(CultureInfo.InvariantCulture, $"{table.Column} < toDateTime({cutoff.ToUnixTimeSeconds()})");
        var old = await client.QueryAsync($"SELECT count() AS n FROM {table.Name} WHERE {before}", row => row.GetInt64("n"), cancellationToken);
        if (old[0] == 0)
        {
            return [];
        }

        await client.ExecuteAsync($"ALTER TABLE {AlterTarget(table)} DELETE WHERE {before}", cancellationToken);
        return [string.Create(CultureInfo.InvariantCulture, $"{table.Name} {old[0]} rows")];
    }

    /// <summary>Incidents whose timeline stays: open, or changed since the cutoff.</summary>
    private async Task<HashSet<(string, string)>> KeptIncidentsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var kept = new HashSet<(string, string)>();
        await using var connection = await state.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("SELECT tenant, id FROM incidents WHERE status IN (1, 2) OR updated_at >= @cutoff")
            .Bind("@cutoff", cutoff.ToUnixTimeSeconds());
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            kept.Add((row.GetString(0), row.GetString(1)));
        }

        return kept;
    }

    private async Task<List<string>> DeleteClosedIncidentsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await state.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await StateDatabase.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        const string Closed = "SELECT tenant, id FROM incidents WHERE status IN (3, 4) AND updated_at < @cutoff";
        await using (var members = connection.Command($"DELETE FROM incident_alerts WHERE (tenant, incident_id) IN ({Closed})", transaction)
            .Bind("@cutoff", cutoff.ToUnixTimeSeconds()))
        {
            await members.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var briefs = connection.Command($"DELETE FROM incident_briefs WHERE (tenant, incident_id) IN ({Closed})", transaction)
            .Bind("@cutoff", cutoff.ToUnixTimeSeconds()))
        {
            await briefs.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var incidents = connection.Command("DELETE FROM incidents WHERE status IN (3, 4) AND updated_at < @cutoff", transaction)
            .Bind("@cutoff", cutoff.ToUnixTimeSeconds());
        var deleted = await incidents.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted == 0 ? [] : [string.Create(CultureInfo.InvariantCulture, $"incidents {deleted} closed")];
    }

    private async Task<List<string>> DeleteResolvedAlertStatesAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await state.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("DELETE FROM alert_states WHERE status = 3 AND last_seen < @cutoff")
            .Bind("@cutoff", cutoff.ToUnixTimeSeconds());
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return deleted == 0 ? [] : [string.Create(CultureInfo.InvariantCulture, $"alert_states {deleted} resolved")];
    }
}
