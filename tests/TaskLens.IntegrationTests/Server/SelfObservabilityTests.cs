using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TaskLens.IntegrationTests.Incidents;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server.EmbeddedClickHouse;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.IntegrationTests.Server;

/// <summary>
/// TaskLens's own metrics, scraped from <c>/metrics</c> in Prometheus's text format around real ingest, and its health
/// endpoints against a ClickHouse this test stops. Counters are compared before and after (at least the difference):
/// hosts of other tests in this process have meters of the same names.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed partial class SelfObservabilityTests(ClickHouseFixture clickHouse)
{
    private const string MetricsToken = "scrape-token-0123456789abcdef";

    [Fact]
    public async Task Metrics_AfterRealIngest_CountersMove()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Goals:QuietPeriod"] = "00:00:01",
            ["TaskLens:Goals:SweepInterval"] = "00:00:00.100",
        });
        var before = Parse(await host.Api.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

        const int spans = 40;
        using (var export = await host.Api.PostAsync(host.HttpTracesEndpoint, new StringContent(Trace(spans), Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        }

        using (var malformed = await host.Api.PostAsync(host.HttpTracesEndpoint, new ByteArrayContent([0xFF, 0xFF, 0xFF]) { Headers = { ContentType = new("application/x-protobuf") } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        await host.WaitForStoredAsync();
        using (await host.GetUntilAsync("/api/goals", d => d.RootElement.GetProperty("goals").GetArrayLength() == 1))
        {
        }

        var text = await host.Api.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var after = Parse(text);

        Assert.True(Delta(before, after, "tasklens_ingest_items_total", "signal=\"traces\"") >= spans, text);
        Assert.True(Delta(before, after, "tasklens_ingest_refusals_total", "reason=\"malformed\"", "transport=\"http\"") >= 1, text);
        Assert.True(Delta(before, after, "tasklens_clickhouse_insert_duration_seconds_count", "table=\"spans\"") >= 1, text);
        Assert.True(Delta(before, after, "tasklens_goals_runs_finalized_total") >= 1, text);
        foreach (var stage in new[] { "read", "decode", "durable" })
        {
            Assert.True(Delta(before, after, "tasklens_ingest_export_duration_seconds_count", $"stage=\"{stage}\"") >= 1, text);
        }

        // Gauges of every owner are there from the first scrape.
        foreach (var gauge in new[] { "tasklens_spool_pending_bytes", "tasklens_spool_drain_lag_seconds", "tasklens_goals_open_runs", "tasklens_goals_rollup_lag_seconds", "tasklens_goals_runs_finalized_early_total", "tasklens_detection_series" })
        {
            Assert.True(after.Keys.Any(k => k.StartsWith(gauge, StringComparison.Ordinal)), $"{gauge} missing from:\n{text}");
        }

        Assert.Contains("# TYPE tasklens_clickhouse_insert_duration_seconds histogram", text, StringComparison.Ordinal);

        // The runtime's own meter: the load run reads the GC's collections and pause time over its latency phases.
        Assert.True(after.Keys.Any(k => k.StartsWith("dotnet_gc_pause_time_seconds_total", StringComparison.Ordinal)), $"dotnet_gc_pause_time_seconds_total missing from:\n{text}");
        Assert.True(after.Keys.Any(k => k.StartsWith("dotnet_gc_collections_total", StringComparison.Ordinal) && k.Contains("gc_heap_generation=\"gen0\"", StringComparison.Ordinal)), $"dotnet_gc_collections_total missing from:\n{text}");
    }

    /// <summary>
    /// Every series issue 19 asks of <c>/metrics</c>, scraped from one running server after it did each kind of work: an
    /// export and a malformed one, a goal run, ClickHouse stopped under an export (spooled, insert attempts failing),
    /// an alert opening an incident, and a brief whose narrative a loopback model wrote.
    /// </summary>
    [Fact]
    public async Task Metrics_AfterEveryKindOfWork_ExposeEverySeriesOfTheIssue()
    {
        var directory = Path.Combine(Path.GetTempPath(), "tasklens-metrics-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var ports = FreePorts.Take(2);
            await using var server = new ClickHouseProcess(directory, ports[0], ports[1], "clickhouse-server");
            await server.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            await using var model = await FakeOpenAiServer.StartAsync();
            await using var host = await TaskLensHost.StartAsync(server.Url, "metrics_" + Guid.NewGuid().ToString("N")[..8], new Dictionary<string, string?>(IncidentCalls.Settings)
            {
                ["TaskLens:Goals:QuietPeriod"] = "00:00:01",
                ["TaskLens:Goals:SweepInterval"] = "00:00:00.100",
                ["TaskLens:Llm:Endpoint"] = model.Endpoint.ToString(),
                ["TaskLens:Llm:Model"] = FakeOpenAiServer.Model,
                ["TaskLens:Llm:ApiKey"] = FakeOpenAiServer.Key,
                ["TaskLens:Briefs:Debounce"] = "00:00:01",
                ["TaskLens:Spool:MaxRetryDelay"] = "00:00:01",
            });
            var before = Parse(await ScrapeAsync(host));

            await PostAsync(host, Trace(10), HttpStatusCode.OK);
            await PostAsync(host, "{", HttpStatusCode.BadRequest);
            await host.WaitForStoredAsync();

            // ClickHouse away: the export is acknowledged from the spool, and the drainer's inserts fail until it is back.
            await server.StopAsync();
            await PostAsync(host, Trace(10), HttpStatusCode.OK);
            var away = await ScrapeUntilAsync(host, m => Delta(before, m, "tasklens_clickhouse_insert_errors_total", "table=\"spans\"") >= 1);
            Assert.True(Value(away, "tasklens_spool_pending_bytes") > 0, "nothing waiting in the spool while ClickHouse is away");
            await server.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            await host.WaitForStoredAsync(TimeSpan.FromSeconds(60));

            await IncidentCalls.TriggerAsync(host, "metrics-db", "payments-db connections refused", "payments-db", "critical");
            var incident = (await IncidentCalls.ListUntilAsync(host, "", i => i.GetArrayLength() == 1))[0].GetProperty("id").GetString();
            (await host.GetUntilAsync($"/api/incidents/{incident}/brief", d => d.RootElement.GetProperty("narrative").GetProperty("status").GetString() is "accepted" or "rejected")).Dispose();

            var after = await ScrapeUntilAsync(host, m => m.Keys.Any(k => k.StartsWith("tasklens_detection_lag_seconds", StringComparison.Ordinal)));
            var text = await ScrapeAsync(host);
            Assert.True(Delta(before, after, "tasklens_ingest_items_total", "signal=\"traces\"") >= 20, text);
            Assert.True(Delta(before, after, "tasklens_ingest_refusals_total", "reason=\"malformed\"") >= 1, text);
            Assert.True(Delta(before, after, "tasklens_clickhouse_insert_duration_seconds_count", "table=\"spans\"") >= 2, text);
            Assert.True(Delta(before, after, "tasklens_clickhouse_insert_errors_total", "table=\"spans\"", "outcome=") >= 1, text);
            Assert.True(Delta(before, after, "tasklens_goals_runs_finalized_total") >= 1, text);
            Assert.True(Delta(before, after, "tasklens_alerts_taken_total", "change=\"opened\"") >= 1, text);
            Assert.True(Delta(before, after, "tasklens_incidents_opened_total", "severity=") >= 1, text);
            Assert.True(Delta(before, after, "tasklens_llm_narratives_total") >= 1, text);
            Assert.True(Delta(before, after, "tasklens_llm_tokens_total", "direction=\"input\"") >= 1200, text);
            Assert.True(Delta(before, after, "tasklens_llm_tokens_total", "direction=\"output\"") >= 150, text);
            Assert.True(Delta(before, after, "tasklens_llm_cost_USD_total", $"model=\"{FakeOpenAiServer.Model}\"") > 0, text);
            foreach (var gauge in new[]
            {
                "tasklens_spool_pending_bytes", "tasklens_spool_drain_lag_seconds", "tasklens_goals_open_runs", "tasklens_goals_rollup_lag_seconds", "tasklens_goals_runs_finalized_early_total",
                "tasklens_detection_series", "tasklens_detection_lag_seconds", "tasklens_detection_steps_judged_before_runs_stored_total",
                "tasklens_goals_stored_through_lag_seconds", "tasklens_goals_late_spans_total", "tasklens_goals_runs_reloaded_total",
            })
            {
                Assert.True(after.Keys.Any(k => k == gauge || k.StartsWith(gauge + "{", StringComparison.Ordinal)), $"{gauge} missing from:\n{text}");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Metrics_OutsideOpenMode_NeedTheScrapeTokenOrAnAdmin()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Ingest:OpenMode"] = "false",
            ["TaskLens:Ingest:ApiKeys:0:Key"] = "acme-ingest-key-0123456789",
            ["TaskLens:Ingest:ApiKeys:0:Tenant"] = "acme",
            ["TaskLens:Server:MetricsToken"] = MetricsToken,
        });

        using var none = await host.Api.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var wrong = await Scrape(host, "not-the-scrape-token-0123456789");
        using var right = await Scrape(host, MetricsToken);
        using var ready = await host.Api.GetAsync(new Uri("/readyz", UriKind.Relative));
        using var alive = await host.Api.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        // Before any export only the gauges have points (a counter shows once it has counted something).
        Assert.Contains("tasklens_spool_pending_bytes", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("tasklens_", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Probes carry no credentials: alive and ready answer anyone, and say only what is up.
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (ready.StatusCode, alive.StatusCode));
    }

    [Fact]
    public async Task Readyz_ClickHouseStopped_Is503NamingIt_AndReadyAgainOnceBack()
    {
        var directory = Path.Combine(Path.GetTempPath(), "tasklens-readyz-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var ports = FreePorts.Take(2);
            await using var server = new ClickHouseProcess(directory, ports[0], ports[1], "clickhouse-server");
            await server.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            await using var host = await TaskLensHost.StartAsync(server.Url, "readyz");

            var up = await ReadyAsync(host);
            Assert.Equal(HttpStatusCode.OK, up.Status);
            Assert.Equal(("ready", "healthy", "healthy", "healthy"), (up.Body.GetProperty("status").GetString(), Check(up.Body, "clickhouse"), Check(up.Body, "state"), Check(up.Body, "spool")));

            await server.StopAsync();
            var down = await ReadyAsync(host);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
            Assert.Equal(("not ready", "unhealthy", "healthy", "healthy"), (down.Body.GetProperty("status").GetString(), Check(down.Body, "clickhouse"), Check(down.Body, "state"), Check(down.Body, "spool")));
            Assert.Equal("ok", await host.Api.GetStringAsync(new Uri("/healthz", UriKind.Relative)));

            await server.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(host)).Status);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Task<string> ScrapeAsync(TaskLensHost host) => host.Api.GetStringAsync(new Uri("/metrics", UriKind.Relative));

    private static async Task<Dictionary<string, double>> ScrapeUntilAsync(TaskLensHost host, Func<Dictionary<string, double>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var samples = Parse(await ScrapeAsync(host));
            if (done(samples) || DateTime.UtcNow > deadline)
            {
                return samples;
            }

            await Task.Delay(250);
        }
    }

    private static double Value(Dictionary<string, double> samples, string name) =>
        samples.Where(s => s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)).Sum(s => s.Value);

    private static async Task PostAsync(TaskLensHost host, string json, HttpStatusCode expected)
    {
        using var response = await host.Api.PostAsync(host.HttpTracesEndpoint, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(expected, response.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(TaskLensHost host)
    {
        using var response = await host.Api.GetAsync(new Uri("/readyz", UriKind.Relative));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }

    private static string? Check(JsonElement body, string name) => body.GetProperty("checks").GetProperty(name).GetProperty("status").GetString();

    private static async Task<HttpResponseMessage> Scrape(TaskLensHost host, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await host.Api.SendAsync(request);
    }

    /// <summary>One goal run: a root span with the goal's name and <paramref name="spans"/> − 1 tool calls under it, ended a minute ago.</summary>
    private static string Trace(int spans)
    {
        var traceId = Guid.NewGuid().ToString("N");
        var start = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60) * 1_000_000_000L;
        var body = new StringBuilder();
        for (var i = 1; i <= spans; i++)
        {
            body.Append(i == 1 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$$"""{"traceId":"{{{traceId}}}","spanId":"{{{i:x16}}}",{{{(i == 1 ? "" : "\"parentSpanId\":\"0000000000000001\",")}}}"name":"{{{(i == 1 ? "invoke_agent scrape" : "execute_tool t")}}}","startTimeUnixNano":"{{{start + i}}}","endTimeUnixNano":"{{{start + 1_000_000 + i}}}","attributes":[{"key":"tasklens.goal.name","value":{"stringValue":"scrape"}}]}""");
        }

        return $$$"""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agent"}}]},"scopeSpans":[{"spans":[{{{body}}}]}]}]}""";
    }

    /// <summary>Sample lines (<c>name{labels} value</c>) by name and labels as written.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = SampleLine().Match(line);
            if (match.Success && double.TryParse(match.Groups[2].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                samples[match.Groups[1].Value] = value;
            }
        }

        return samples;
    }

    /// <summary>The growth of the sum of every sample of <paramref name="name"/> whose labels contain each of <paramref name="labels"/>.</summary>
    private static double Delta(Dictionary<string, double> before, Dictionary<string, double> after, string name, params string[] labels)
    {
        double Sum(Dictionary<string, double> samples) => samples
            .Where(s => (s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)) && labels.All(l => s.Key.Contains(l, StringComparison.Ordinal)))
            .Sum(s => s.Value);
        return Sum(after) - Sum(before);
    }

    [GeneratedRegex(@"^(\S+(?:\{.*\})?)\s+(\S+)(?:\s+\d+)?$")]
    private static partial Regex SampleLine();
}
