using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Benchmarks.Load;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Benchmarks.Traces;

/// <summary>
/// Trace by id with 10 million spans stored (<see cref="TraceLookupData"/>): the built server (embedded ClickHouse,
/// loopback) answers <c>GET /api/traces/{id}</c> for <see cref="Samples"/> trace ids drawn at random from those stored,
/// one after another after <see cref="WarmUp"/> warm-up requests, once ClickHouse runs no merge; p50 and p95 of the time
/// to the last byte. Every answer must hold the whole trace. Between them, other ids are read by the reader in this process
/// and taken apart (<see cref="TraceLookupBreakdown"/>) and by the reader's previous queries; then the views' cost per
/// inserted span is measured with and without the per-trace count view (<see cref="TraceInsertCost"/>).
/// </summary>
internal static class TraceLookupBenchmark
{
    private const int Samples = 200;
    private const int WarmUp = 5;
    private const int ScanSamples = 20;

    public static async Task<int> RunAsync(string serverDll, string outputDirectory)
    {
        var work = Path.Combine(Path.GetTempPath(), "tasklens-traces-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var ports = LoadBenchmark.FreePorts(5);
        using var server = LoadBenchmark.StartServer(serverDll, work, ports);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
            await LoadBenchmark.WaitHealthyAsync(http, ports[0], server);
            using var clickHouse = LoadBenchmark.EmbeddedClickHouse(work, ports[3], TimeSpan.FromMinutes(10));

            var fill = Stopwatch.StartNew();
            await TraceLookupData.FillAsync(clickHouse, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            fill.Stop();
            var merges = await LoadBenchmark.WaitForMergesAsync(clickHouse, TimeSpan.FromMinutes(3));
            var spans = (await clickHouse.QueryAsync("SELECT count() AS n FROM spans", r => r.GetUInt64("n"), CancellationToken.None))[0];
            var version = (await clickHouse.GetServerVersionAsync(CancellationToken.None)).ToString();
            // Three interleaved sets of ids, so each measure reads traces no other measure has warmed: the API, the
            // same lookup taken apart in this process, and the reader's queries as they were before issue 20's change.
            var ids = await clickHouse.QueryAsync(
                string.Create(CultureInfo.InvariantCulture, $"SELECT lower(hex(trace_id)) AS id FROM trace_index GROUP BY trace_id ORDER BY sipHash64(trace_id) LIMIT {3 * (Samples + WarmUp)}"),
                r => r.GetString("id"),
                CancellationToken.None);
            var loadBefore = LoadAverage();
            var times = new List<double>();
            var previous = new List<double>();
            using var breakdown = new TraceLookupBreakdown(work, ports[3]);
            for (var i = 0; i < Samples + WarmUp; i++)
            {
                var keep = i >= WarmUp;
                var id = ids[3 * i];
                var watch = Stopwatch.StartNew();
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{ports[0]}/api/traces/{id}"));
                var body = await response.Content.ReadAsByteArrayAsync();
                watch.Stop();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"trace {id} answered {(int)response.StatusCode}");
                }

                using var json = JsonDocument.Parse(body);
                var count = json.RootElement.GetProperty("spans").GetArrayLength();
                if (count != TraceLookupData.SpansPerTrace)
                {
                    throw new InvalidOperationException($"trace {id} came back with {count} spans, not {TraceLookupData.SpansPerTrace}");
                }

                if (keep)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }

                await breakdown.MeasureAsync(ids[(3 * i) + 1], TraceLookupData.SpansPerTrace, keep);
                var old = await PreviousReaderAsync(clickHouse, ids[(3 * i) + 2], "spans_by_trace");
                if (keep)
                {
                    previous.Add(old);
                }
            }

            var loadAfter = LoadAverage();

            // The layout before spans_by_trace (spans, ordered by service and time): about a second a lookup, so fewer samples.
            var scans = new List<double>();
            for (var i = 0; i < ScanSamples; i++)
            {
                scans.Add(await PreviousReaderAsync(clickHouse, ids[3 * i], "spans"));
            }

            Console.Error.WriteLine("trace lookups measured; inserting the same rows with and without the per-trace count view");
            var meter = new ProcessMeter(server);
            var insert = await TraceInsertCost.MeasureAsync(clickHouse, meter, new Uri($"http://127.0.0.1:{ports[3]}/"), breakdown.Password, spans);
            var loadInsert = LoadAverage();

            var result = new TraceLookupResult(
                spans, times.Count, AckLatency.Percentile(times, 0.50), AckLatency.Percentile(times, 0.95), times.Max(), version);
            var report = Report(result, fill.Elapsed, merges, breakdown.Samples, (AckLatency.Percentile(previous, 0.5), AckLatency.Percentile(previous, 0.95)),
                (AckLatency.Percentile(scans, 0.5), AckLatency.Percentile(scans, 0.95)), insert, (loadBefore, loadAfter, loadInsert));
            Directory.CreateDirectory(outputDirectory);
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, "traces.md"), report);
            await result.WriteAsync(outputDirectory);
            Console.WriteLine(report);
            return 0;
        }
        finally
        {
            LoadBenchmark.Stop(server);
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The machine's 1-minute load average (the first figure of uptime).</summary>
    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    /// <summary>
    /// The reader before issue 20's change, straight to ClickHouse: the time range from trace_index, then the spans from
    /// <paramref name="table"/> within it, one after the other (ms, both round trips).
    /// </summary>
    private static async Task<double> PreviousReaderAsync(ClickHouseClient clickHouse, string id, string table)
    {
        var watch = Stopwatch.StartNew();
        var range = (await clickHouse.QueryAsync(
            $"SELECT toUnixTimestamp(min(start)) AS f, toUnixTimestamp(max(end)) AS l FROM trace_index WHERE tenant = 'default' AND trace_id = unhex('{id}')",
            r => (First: r.GetInt64("f"), Last: r.GetInt64("l")),
            CancellationToken.None))[0];
        var rows = await clickHouse.QueryAsync(
            string.Create(CultureInfo.InvariantCulture, $"""
                SELECT * FROM {table}
                WHERE tenant = 'default' AND trace_id = unhex('{id}') AND timestamp >= toDateTime({range.First}) AND timestamp <= toDateTime({range.Last})
                ORDER BY start_time_unix_nano, span_id LIMIT 1 BY span_id LIMIT 0, 1001
                """),
            r => r.GetString("name"),
            CancellationToken.None);
        watch.Stop();
        return rows.Count == TraceLookupData.SpansPerTrace
            ? watch.Elapsed.TotalMilliseconds
            : throw new InvalidOperationException($"{table} gave {rows.Count} spans of trace {id}");
    }

    private static string Report(
        TraceLookupResult r, TimeSpan fill, double mergeSeconds, List<TraceLookupBreakdown.Sample> parts, (double P50, double P95) previous,
        (double P50, double P95) scan, TraceInsertCost.Result insert, (string Before, string After, string Insert) load)
    {
        double P(Func<TraceLookupBreakdown.Sample, double> pick, double p) => AckLatency.Percentile(parts.Select(pick).ToList(), p);
        var rest50 = r.P50Ms - P(s => s.ReadMs, 0.5) - P(s => s.JsonMs, 0.5);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Stored: {r.SpansStored:N0} spans in {TraceLookupData.Traces:N0} traces of {TraceLookupData.SpansPerTrace} spans across 10 services, started over");
        text.AppendLine(CultureInfo.InvariantCulture, $"{TraceLookupData.WindowSeconds / 60} minutes, 15 attributes per span (made in {fill.TotalSeconds:N0} s by INSERT … SELECT into spans and its views; merges");
        text.AppendLine(CultureInfo.InvariantCulture, $"settled after {mergeSeconds:N0} s more), ClickHouse {r.ServerVersion}. {r.Samples} random trace ids, each read whole through `GET /api/traces/{{id}}`,");
        text.AppendLine(CultureInfo.InvariantCulture, $"interleaved with as many other ids read by the reader in this process and by the reader's previous queries. Machine load");
        text.AppendLine(CultureInfo.InvariantCulture, $"(1-minute average) {load.Before} when the lookups began, {load.After} when they ended.");
        text.AppendLine();
        text.AppendLine("| trace by id | p50 (ms) | p95 (ms) | max (ms) | target p95 | |");
        text.AppendLine("| --- | ---: | ---: | ---: | --- | --- |");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| `GET /api/traces/{{id}}`, the whole answer | {r.P50Ms:N1} | {r.P95Ms:N1} | {r.MaxMs:N1} | ≤ {TraceLookupResult.TargetP95Ms} ms | {(r.Met ? "MET" : "NOT MET")} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| the reader now (one query on `spans_by_trace`: PREWHERE on the trace, its time range from `trace_index` inside), rows parsed into spans | {P(s => s.ReadMs, 0.5):N1} | {P(s => s.ReadMs, 0.95):N1} | | | |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| the reader before (time range from `trace_index`, then `spans_by_trace` within it: two round trips) | {previous.P50:N1} | {previous.P95:N1} | | | |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| the same two queries on `spans` (ordered by service and time; the layout before `spans_by_trace`), {ScanSamples} ids | {scan.P50:N1} | {scan.P95:N1} | | | |");
        text.AppendLine();
        text.AppendLine("Where one lookup's time goes (the reader and the answer writer run in the benchmark's process against the same ClickHouse):");
        text.AppendLine();
        text.AppendLine("| part of one lookup | p50 | p95 |");
        text.AppendLine("| --- | ---: | ---: |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| queries to ClickHouse per lookup | {P(s => s.Queries, 0.5):N0} | {P(s => s.Queries, 0.95):N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| ClickHouse's own elapsed time for them, ms (run again right after: warm caches) | {P(s => s.ClickHouseMs, 0.5):N1} | {P(s => s.ClickHouseMs, 0.95):N1} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| rows read by ClickHouse | {P(s => s.RowsRead, 0.5):N0} | {P(s => s.RowsRead, 0.95):N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| bytes read by ClickHouse (KiB, uncompressed) | {P(s => s.BytesRead / 1024.0, 0.5):N0} | {P(s => s.BytesRead / 1024.0, 0.95):N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| the reader: round trips and rows parsed into spans, ms | {P(s => s.ReadMs, 0.5):N1} | {P(s => s.ReadMs, 0.95):N1} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| the answer written as JSON, ms ({P(s => s.AnswerBytes / 1024.0, 0.5):N0} KiB) | {P(s => s.JsonMs, 0.5):N2} | {P(s => s.JsonMs, 0.95):N2} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| the rest of `GET` (HTTP, routing, sign-in check, transport), ms: p50 of the whole minus p50 of the parts | {rest50:N1} | |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"ClickHouse CPU per inserted span, from copies of `spans` and its views made from the schema steps: {insert.Rows:N0} stored spans");
        text.AppendLine(CultureInfo.InvariantCulture, $"inserted as {insert.Batches} RowBinary batches over HTTP, then every table merged to one part (OPTIMIZE … FINAL); three passes");
        text.AppendLine(CultureInfo.InvariantCulture, $"of each, alternating which goes first, median; machine load {load.Insert} when they ended.");
        text.AppendLine();
        text.AppendLine("| views fed by each span insert | ClickHouse CPU µs per span (median) | the three passes |");
        text.AppendLine("| --- | ---: | --- |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| before: operation minutes, trace index, spans by trace, spans per trace (`trace_spans`) | {insert.BeforeUs:N1} | {string.Join(", ", insert.BeforeRuns.Select(v => v.ToString("N1", CultureInfo.InvariantCulture)))} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| now: operation minutes, trace index, spans by trace (the sweeper counts in `spans_by_trace`) | {insert.AfterUs:N1} | {string.Join(", ", insert.AfterRuns.Select(v => v.ToString("N1", CultureInfo.InvariantCulture)))} |");
        return text.ToString();
    }
}
