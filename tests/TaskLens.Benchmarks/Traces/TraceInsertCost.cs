using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TaskLens.Benchmarks.Load;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Schema;
using TaskLens.Storage.Spans;

namespace TaskLens.Benchmarks.Traces;

/// <summary>
/// What the span views cost each insert, before and after schema step 111 dropped <c>trace_spans</c>: copies of
/// <c>spans</c> and of its views made from the schema steps themselves (prefixed <c>ab_</c>), once with step 40's
/// per-trace count view and once without. The same rows — <see cref="Batches"/> RowBinary batches of about the drainer's
/// size, taken from the stored spans across traces and services — are inserted over HTTP into each, and every table is
/// then merged to one part (<c>OPTIMIZE … FINAL</c>), so the merge work a view causes is counted too. ClickHouse's CPU
/// (user + system, /proc) per inserted span; three passes of each, alternating which goes first, medians reported.
/// </summary>
internal static partial class TraceInsertCost
{
    private const int Batches = 10;
    private const int TraceSpansStep = 40;
    private const string Prefix = "ab_";

    /// <summary>Steps whose CREATE statements make spans and every view over it (13 also records the layout: skipped).</summary>
    private static readonly int[] ViewSteps = [1, 2, 3, 7, 12, 13];

    public static async Task<Result> MeasureAsync(ClickHouseClient clickHouse, ProcessMeter meter, Uri clickHouseUri, string password, ulong storedSpans)
    {
        var files = await ExportAsync(clickHouseUri, password, storedSpans);
        try
        {
            var before = new List<double>();
            var after = new List<double>();
            var rows = files.Sum(f => (long)f.Rows);
            for (var pass = 0; pass < 3; pass++)
            {
                foreach (var withTraceSpans in pass % 2 == 0 ? new[] { true, false } : [false, true])
                {
                    var cpu = await InsertAsync(clickHouse, meter, files, withTraceSpans);
                    (withTraceSpans ? before : after).Add(cpu.TotalMilliseconds * 1000 / rows);
                }
            }

            await DropAsync(clickHouse);
            return new Result(rows, files.Count, Median(before), Median(after), before, after);
        }
        finally
        {
            files.ForEach(f => File.Delete(f.Path));
        }
    }

    private static async Task<TimeSpan> InsertAsync(ClickHouseClient clickHouse, ProcessMeter meter, List<(string Path, int Rows)> files, bool withTraceSpans)
    {
        await DropAsync(clickHouse);
        var targets = new List<string>();
        foreach (var migration in SchemaMigrations.All(30).Where(m => ViewSteps.Contains(m.Id) || (withTraceSpans && m.Id == TraceSpansStep)))
        {
            foreach (var statement in migration.Statements.Where(s => s.TrimStart().StartsWith("CREATE", StringComparison.Ordinal)))
            {
                if (statement.Contains("span_layouts", StringComparison.Ordinal))
                {
                    continue;
                }

                await clickHouse.ExecuteAsync(Prefixed().Replace(statement, m => Prefix + m.Value), CancellationToken.None);
                if (statement.Contains("CREATE TABLE", StringComparison.Ordinal))
                {
                    targets.Add(Prefix + Prefixed().Match(statement).Value);
                }
            }
        }

        await LoadBenchmark.WaitForMergesAsync(clickHouse, TimeSpan.FromMinutes(2));
        var start = meter.Cpu().ClickHouse;
        foreach (var (path, _) in files)
        {
            await clickHouse.InsertRowBinaryAsync(Prefix + SpansTable.Name, SpansTable.Columns, async (stream, ct) =>
            {
                await using var input = File.OpenRead(path);
                await input.CopyToAsync(stream, ct);
            }, CancellationToken.None);
        }

        foreach (var table in targets)
        {
            await clickHouse.ExecuteAsync($"OPTIMIZE TABLE {table} FINAL", CancellationToken.None);
        }

        return meter.Cpu().ClickHouse - start;
    }

    /// <summary>About the rows of one drainer insert of SDK-shaped exports (40 of 512 spans in its 12 MiB).</summary>
    private const int RowsPerBatch = 20_000;

    /// <summary>About <see cref="Batches"/> × the drainer's batch of stored spans, each batch a hash slice across traces and services.</summary>
    private static async Task<List<(string Path, int Rows)>> ExportAsync(Uri clickHouseUri, string password, ulong storedSpans)
    {
        var slices = Math.Max(Batches, (long)storedSpans / RowsPerBatch);
        var columns = string.Join(", ", SpansTable.Columns);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var files = new List<(string, int)>();
        for (var slice = 0; slice < Batches; slice++)
        {
            var sql = string.Create(CultureInfo.InvariantCulture, $"SELECT {columns} FROM spans WHERE sipHash64(span_id) % {slices} = {slice} FORMAT RowBinary");
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(clickHouseUri, "?database=tasklens")) { Content = new StringContent(sql, Encoding.UTF8) };
            request.Headers.Add("X-ClickHouse-User", "default");
            request.Headers.Add("X-ClickHouse-Key", password);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var path = Path.GetTempFileName();
            await using (var file = File.Create(path))
            {
                await response.Content.CopyToAsync(file);
            }

            var countSql = string.Create(CultureInfo.InvariantCulture, $"SELECT count() FROM spans WHERE sipHash64(span_id) % {slices} = {slice}");
            using var count = new HttpRequestMessage(HttpMethod.Post, new Uri(clickHouseUri, "?database=tasklens")) { Content = new StringContent(countSql, Encoding.UTF8) };
            count.Headers.Add("X-ClickHouse-User", "default");
            count.Headers.Add("X-ClickHouse-Key", password);
            using var counted = await http.SendAsync(count);
            files.Add((path, int.Parse((await counted.Content.ReadAsStringAsync()).Trim(), CultureInfo.InvariantCulture)));
        }

        return files;
    }

    private static async Task DropAsync(ClickHouseClient clickHouse)
    {
        var tables = await clickHouse.QueryAsync(
            "SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND name LIKE 'ab\\_%'",
            r => (Name: r.GetString("name"), View: r.GetString("engine") == "MaterializedView"),
            CancellationToken.None);
        foreach (var (name, _) in tables.OrderByDescending(t => t.View))
        {
            await clickHouse.ExecuteAsync($"DROP TABLE IF EXISTS {name}", CancellationToken.None);
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>A table or view name right after the words that introduce one in the schema steps' CREATE statements.</summary>
    [GeneratedRegex(@"(?<=\b(?:TABLE IF NOT EXISTS|VIEW IF NOT EXISTS|TO|FROM)\s+)[a-z_]+\b")]
    private static partial Regex Prefixed();

    /// <summary>ClickHouse CPU µs per inserted span with step 40's view (before) and without it (after), medians of three.</summary>
    internal sealed record Result(long Rows, int Batches, double BeforeUs, double AfterUs, List<double> BeforeRuns, List<double> AfterRuns);
}
