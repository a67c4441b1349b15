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
/// to the last byte. Every answer must hold the whole trace.
/// </summary>
internal static class TraceLookupBenchmark
{
    private const int Samples = 200;
    private const int WarmUp = 5;

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
            var ids = await clickHouse.QueryAsync(
                string.Create(CultureInfo.InvariantCulture, $"SELECT lower(hex(trace_id)) AS id FROM trace_index GROUP BY trace_id ORDER BY sipHash64(trace_id) LIMIT {Samples + WarmUp}"),
                r => r.GetString("id"),
                CancellationToken.None);

            var times = new List<double>();
            for (var i = 0; i < ids.Count; i++)
            {
                var watch = Stopwatch.StartNew();
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{ports[0]}/api/traces/{ids[i]}"));
                var body = await response.Content.ReadAsByteArrayAsync();
                watch.Stop();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"trace {ids[i]} answered {(int)response.StatusCode}");
                }

                using var json = JsonDocument.Parse(body);
                var count = json.RootElement.GetProperty("spans").GetArrayLength();
                if (count != TraceLookupData.SpansPerTrace)
                {
                    throw new InvalidOperationException($"trace {ids[i]} came back with {count} spans, not {TraceLookupData.SpansPerTrace}");
                }

                if (i >= WarmUp)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            // The same reads straight from ClickHouse in both layouts, as TraceReader makes them: the layout before
            // (spans, ordered by service and time) and now (spans_by_trace, ordered by trace id), in the same run.
            var before = await DirectAsync(clickHouse, ids, "spans");
            var now = await DirectAsync(clickHouse, ids, "spans_by_trace");

            var result = new TraceLookupResult(
                spans, times.Count, AckLatency.Percentile(times, 0.50), AckLatency.Percentile(times, 0.95), times.Max(), version);
            var report = Report(result, fill.Elapsed, merges, before, now);
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

    /// <summary>Time range from trace_index, then the trace's spans from <paramref name="table"/>; p50 and p95 (ms) over the ids after the warm-up.</summary>
    private static async Task<(double P50, double P95)> DirectAsync(ClickHouseClient clickHouse, List<string> ids, string table)
    {
        var times = new List<double>();
        for (var i = 0; i < ids.Count; i++)
        {
            var watch = Stopwatch.StartNew();
            var range = (await clickHouse.QueryAsync(
                $"SELECT toUnixTimestamp(min(start)) AS f, toUnixTimestamp(max(end)) AS l FROM trace_index WHERE tenant = 'default' AND trace_id = unhex('{ids[i]}')",
                r => (First: r.GetInt64("f"), Last: r.GetInt64("l")),
                CancellationToken.None))[0];
            var rows = await clickHouse.QueryAsync(
                string.Create(CultureInfo.InvariantCulture, $"""
                    SELECT * FROM {table}
                    WHERE tenant = 'default' AND trace_id = unhex('{ids[i]}') AND timestamp >= toDateTime({range.First}) AND timestamp <= toDateTime({range.Last})
                    ORDER BY start_time_unix_nano, span_id LIMIT 1 BY span_id LIMIT 0, 1001
                    """),
                r => r.GetString("name"),
                CancellationToken.None);
            watch.Stop();
            if (rows.Count != TraceLookupData.SpansPerTrace)
            {
                throw new InvalidOperationException($"{table} gave {rows.Count} spans of trace {ids[i]}");
            }

            if (i >= WarmUp)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return (AckLatency.Percentile(times, 0.50), AckLatency.Percentile(times, 0.95));
    }

    private static string Report(TraceLookupResult r, TimeSpan fill, double mergeSeconds, (double P50, double P95) before, (double P50, double P95) now)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Stored: {r.SpansStored:N0} spans in {TraceLookupData.Traces:N0} traces of {TraceLookupData.SpansPerTrace} spans across 10 services, started over");
        text.AppendLine(CultureInfo.InvariantCulture, $"{TraceLookupData.WindowSeconds / 60} minutes, 15 attributes per span (made in {fill.TotalSeconds:N0} s by INSERT … SELECT into spans and its views; merges");
        text.AppendLine(CultureInfo.InvariantCulture, $"settled after {mergeSeconds:N0} s more), ClickHouse {r.ServerVersion}. {r.Samples} random trace ids, each read whole through `GET /api/traces/{{id}}`.");
        text.AppendLine();
        text.AppendLine("| trace by id | p50 (ms) | p95 (ms) | max (ms) | target p95 | |");
        text.AppendLine("| --- | ---: | ---: | ---: | --- | --- |");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| `GET /api/traces/{{id}}`, the whole answer | {r.P50Ms:N1} | {r.P95Ms:N1} | {r.MaxMs:N1} | ≤ {TraceLookupResult.TargetP95Ms} ms | {(r.Met ? "MET" : "NOT MET")} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| the reader's two queries on `spans_by_trace` (ordered by trace id; now) | {now.P50:N1} | {now.P95:N1} | | | |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| the same two queries on `spans` (ordered by service and time; the layout before) | {before.P50:N1} | {before.P95:N1} | | | |");
        return text.ToString();
    }
}
