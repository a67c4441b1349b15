using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Benchmarks.Load;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Benchmarks.Dashboard;

/// <summary>
/// Server render time per dashboard page: the built server (embedded ClickHouse, loopback) holding 10 million spans and
/// 100,000 goal runs, each page fetched as a browser's first request does (the server loads its data and renders the
/// whole page), 3 times to warm up and then <see cref="Samples"/> times one after another; p50 and p95 of the time to
/// the last byte. The run page of a 5,000-sub-task run is one of the pages.
/// </summary>
internal static class DashboardBenchmark
{
    private const int Samples = 20;
    private const double TargetP95Ms = 300;

    public static async Task<int> RunAsync(string serverDll, string outputDirectory)
    {
        var work = Path.Combine(Path.GetTempPath(), "tasklens-dashboard-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var ports = LoadBenchmark.FreePorts(5);
        using var server = LoadBenchmark.StartServer(serverDll, work, ports);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
            await LoadBenchmark.WaitHealthyAsync(http, ports[0], server);
            using var clickHouse = LoadBenchmark.EmbeddedClickHouse(work, ports[3], TimeSpan.FromMinutes(10));

            var fill = Stopwatch.StartNew();
            await DashboardData.FillAsync(clickHouse, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            fill.Stop();
            var spans = (await clickHouse.QueryAsync("SELECT count() AS n FROM spans", r => r.GetUInt64("n"), CancellationToken.None))[0];
            var runs = (await clickHouse.QueryAsync("SELECT count() AS n FROM goal_runs", r => r.GetUInt64("n"), CancellationToken.None))[0];
            await RaiseIncidentAsync(http, ports[0]);

            var smallRun = DashboardData.RunId(7);
            var pages = new (string Name, string Path)[]
            {
                ("Overview", "/"),
                ("Goals", "/goals"),
                ("Goal detail", "/goals/goal-7"),
                ($"Run ({DashboardData.BigRunSubTasks:N0} sub-tasks)", "/runs/" + DashboardData.BigRunId),
                ($"Run ({DashboardData.SpansPerRun} spans, waterfall)", "/runs/" + smallRun),
                ("Incidents", "/incidents"),
                ("Incident detail", "/incidents/inc-1"),
                ("Services", "/services"),
                ("Explore: trace", "/explore?trace=" + smallRun),
            };
            var results = new List<(string Name, double P50, double P95, int Bytes)>();
            foreach (var (name, path) in pages)
            {
                results.Add(await MeasureAsync(http, new Uri($"http://127.0.0.1:{ports[0]}{path}"), name));
            }

            var report = Report(results, spans, runs, fill.Elapsed);
            Directory.CreateDirectory(outputDirectory);
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, "dashboard.md"), report);
            Console.WriteLine(report);
            return 0;
        }
        finally
        {
            LoadBenchmark.Stop(server);
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<(string Name, double P50, double P95, int Bytes)> MeasureAsync(HttpClient http, Uri url, string name)
    {
        var times = new List<double>();
        var bytes = 0;
        for (var i = 0; i < 3 + Samples; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(url);
            var body = await response.Content.ReadAsByteArrayAsync();
            watch.Stop();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}");
            }

            bytes = body.Length;
            if (i >= 3)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        return (name, times[(int)Math.Ceiling(0.50 * times.Count) - 1], times[(int)Math.Ceiling(0.95 * times.Count) - 1], bytes);
    }

    /// <summary>Two related alerts through the Alertmanager webhook (open mode takes them without a token on loopback): incident inc-1.</summary>
    private static async Task RaiseIncidentAsync(HttpClient http, int apiPort)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        foreach (var n in new[] { 1, 2 })
        {
            var body = $$"""
                {"version":"4","status":"firing","receiver":"tasklens","groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am",
                 "alerts":[{"status":"firing","labels":{"alertname":"ToolErrors{{n}}","service":"tool-{{n}}","goal":"goal-7","severity":"critical"},
                 "annotations":{"summary":"tool-{{n}} error rate above 5%"},"startsAt":"{{now}}","fingerprint":"bench{{n}}"}]}
                """;
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri($"http://127.0.0.1:{apiPort}/api/alerts/alertmanager"), content);
            response.EnsureSuccessStatusCode();
        }

        for (var i = 0; i < 100; i++)
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{apiPort}/api/incidents/inc-1"));
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("No incident was opened from the alerts.");
    }

    private static string Report(List<(string Name, double P50, double P95, int Bytes)> results, ulong spans, ulong runs, TimeSpan fill)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Stored: {spans:N0} spans, {runs:N0} goal runs (made in {fill.TotalSeconds:N0} s by INSERT … SELECT). Target: p95 ≤ {TargetP95Ms:N0} ms per page.");
        text.AppendLine();
        text.AppendLine("| page | p50 (ms) | p95 (ms) | HTML (KiB) | p95 ≤ 300 ms |");
        text.AppendLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var (name, p50, p95, bytes) in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {p50:N0} | {p95:N0} | {bytes / 1024.0:N0} | {(p95 <= TargetP95Ms ? "yes" : "**no**")} |");
        }

        return text.ToString();
    }
}
