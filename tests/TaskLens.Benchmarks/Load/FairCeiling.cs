using System.Diagnostics;
using System.Text.RegularExpressions;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Spans;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// What ClickHouse alone does with the same rows: a copy of <c>spans</c> with copies of every materialized view that
/// reads <c>spans</c> (and of their target tables), the rows encoded by TaskLens's own encoder, inserted over the
/// HTTP interface as RowBinary in the drainer's batches (exports grouped by the drainer's own bounds: bytes as received
/// and exports per insert) and with the drainer's number of concurrent inserts, once ClickHouse runs no merge; three
/// passes into fresh tables, the median reported.
/// </summary>
internal static class FairCeiling
{
    private const string Prefix = "ceiling_";

    public static async Task<CeilingResult> MeasureAsync(
        ClickHouseClient clickHouse, IEnumerable<byte[]> exports, int batchExports, long batchBytes, int concurrency, string database, TimeSpan mergeWait,
        Func<TimeSpan>? clickHouseCpu = null)
    {
        var files = await EncodeAsync(exports, batchExports, batchBytes);
        try
        {
            var rates = new List<double>();
            var views = 0;
            var settle = new List<double>();
            var cpu = new List<(double Insert, double WithMerges)>();
            for (var pass = 0; pass < 3; pass++)
            {
                views = await CreateTablesAsync(clickHouse, database);
                settle.Add(await LoadBenchmark.WaitForMergesAsync(clickHouse, mergeWait));
                var rows = files.Sum(f => (long)f.Rows);
                var next = -1;
                var cpuBefore = clickHouseCpu?.Invoke() ?? TimeSpan.Zero;
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < files.Count)
                    {
                        var path = files[i].Path;
                        await clickHouse.InsertRowBinaryAsync(Prefix + SpansTable.Name, SpansTable.Columns, async (stream, ct) =>
                        {
                            await using var input = File.OpenRead(path);
                            await input.CopyToAsync(stream, ct);
                        }, CancellationToken.None);
                    }
                }));
                rates.Add(rows / clock.Elapsed.TotalSeconds);
                if (clickHouseCpu is not null)
                {
                    // The clock stops with the last insert; the merges its parts start go on after it. Their CPU is
                    // counted separately, until ClickHouse runs no merge, to compare with a phase's steady state.
                    var inserted = clickHouseCpu();
                    await LoadBenchmark.WaitForMergesAsync(clickHouse, mergeWait);
                    cpu.Add(((inserted - cpuBefore).TotalMicroseconds / rows, (clickHouseCpu() - cpuBefore).TotalMicroseconds / rows));
                }
            }

            await DropTablesAsync(clickHouse, database);
            rates.Sort();
            return new CeilingResult(
                rates[1], rates, files.Sum(f => (long)f.Rows), files.Count, views, settle.Max(),
                cpu.Count == 3 ? cpu.Select(c => c.Insert).Order().ElementAt(1) : double.NaN,
                cpu.Count == 3 ? cpu.Select(c => c.WithMerges).Order().ElementAt(1) : double.NaN);
        }
        finally
        {
            files.ForEach(f => File.Delete(f.Path));
        }
    }

    /// <summary>
    /// RowBinary files, one per insert the drainer would make of these exports lying in its spool: at most
    /// <paramref name="batchExports"/> exports and <paramref name="batchBytes"/> bytes of them plus the export that crosses
    /// that bound (the drainer's read takes it whole, and its run keeps it rather than insert it alone).
    /// </summary>
    private static async Task<List<(string Path, int Rows)>> EncodeAsync(IEnumerable<byte[]> exports, int batchExports, long batchBytes)
    {
        var files = new List<(string, int)>();
        var batch = new SpanBatch();
        var writer = new RowBinaryWriter(1 << 24);
        var rows = 0;
        var inBatch = 0;
        long bytes = 0;
        var ingestedAt = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        async Task FlushAsync()
        {
            var path = Path.GetTempFileName();
            await File.WriteAllBytesAsync(path, writer.WrittenMemory.ToArray());
            files.Add((path, rows));
            writer.Dispose();
            writer = new RowBinaryWriter(1 << 24);
            rows = 0;
            inBatch = 0;
            bytes = 0;
        }

        foreach (var export in exports)
        {
            if (inBatch > 0 && (inBatch == batchExports || bytes > batchBytes))
            {
                await FlushAsync();
            }

            batch.Clear();
            UnitTests.TestSupport.SpanBatchDecoder.Decode(export, batch);
            UnitTests.TestSupport.SpanBatchRows.Encode(batch, writer, ingestedAt);
            rows += batch.SpanCount;
            inBatch++;
            bytes += export.Length;
        }

        if (rows > 0)
        {
            await FlushAsync();
        }

        writer.Dispose();
        return files;
    }

    /// <summary>Fresh copies of spans, of every view reading it and of the views' targets; returns the number of views copied.</summary>
    private static async Task<int> CreateTablesAsync(ClickHouseClient clickHouse, string database)
    {
        await DropTablesAsync(clickHouse, database);
        await clickHouse.ExecuteAsync($"CREATE TABLE {Prefix}spans AS spans", CancellationToken.None);
        var views = await clickHouse.QueryAsync(
            "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine = 'MaterializedView' AND name NOT LIKE 'ceiling\\_%'",
            r => r.GetString("name"),
            CancellationToken.None);
        var copied = 0;
        foreach (var view in views)
        {
            var ddl = (await clickHouse.QueryAsync($"SHOW CREATE TABLE {view}", r => r.GetString("statement"), CancellationToken.None))[0];
            if (!SpansSource(database).IsMatch(ddl))
            {
                continue;
            }

            var target = TargetTable(database).Match(ddl).Groups[1].Value;
            await clickHouse.ExecuteAsync($"CREATE TABLE {Prefix}{target} AS {target}", CancellationToken.None);
            var copy = SpansSource(database).Replace(ddl, $"FROM {database}.{Prefix}spans");
            copy = TargetTable(database).Replace(copy, $"TO {database}.{Prefix}{target}", 1);
            copy = ViewName(database, view).Replace(copy, $"VIEW {database}.{Prefix}{view}", 1);
            await clickHouse.ExecuteAsync(copy, CancellationToken.None);
            copied++;
        }

        return copied;
    }

    private static async Task DropTablesAsync(ClickHouseClient clickHouse, string database)
    {
        var tables = await clickHouse.QueryAsync(
            "SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND name LIKE 'ceiling\\_%'",
            r => (Name: r.GetString("name"), View: r.GetString("engine") == "MaterializedView"),
            CancellationToken.None);
        foreach (var (name, _) in tables.OrderByDescending(t => t.View))
        {
            await clickHouse.ExecuteAsync($"DROP TABLE IF EXISTS {database}.{name}", CancellationToken.None);
        }
    }

    // SHOW CREATE names tables with or without their database, depending on the server version.
    private static Regex SpansSource(string database) => new($@"\bFROM (?:{Regex.Escape(database)}\.)?spans\b", RegexOptions.CultureInvariant);

    private static Regex TargetTable(string database) => new($@"\bTO (?:{Regex.Escape(database)}\.)?(\w+)", RegexOptions.CultureInvariant);

    private static Regex ViewName(string database, string view) =>
        new($@"\bVIEW (?:{Regex.Escape(database)}\.)?{Regex.Escape(view)}\b", RegexOptions.CultureInvariant);
}
