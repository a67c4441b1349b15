using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskLens.Core.Incidents;
using TaskLens.IntegrationTests.Alerts;
using TaskLens.IntegrationTests.Goals;
using TaskLens.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static TaskLens.IntegrationTests.Incidents.IncidentCalls;

namespace TaskLens.IntegrationTests.Incidents;

/// <summary>
/// Incidents from real sources: a real Alertmanager's alerts open an incident that resolves with them; and an alert flood
/// of over a thousand labelled alerts, sent back to back through the webhooks and the events API after the service calls
/// were learnt from spans sent with the OpenTelemetry exporter, folds into the incidents the correlator finds offline.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class IncidentEndToEndTests(ClickHouseFixture clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task RealAlertmanager_AlertsOpenOneIncident_ThatResolvesWhenTheyAllResolve()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings);
        await using var alertmanager = await AlertmanagerProcess.StartAsync($"http://127.0.0.1:{host.ApiPort}/api/alerts/alertmanager", Token);
        var started = DateTimeOffset.UtcNow.AddMinutes(-1);
        object Alert(string name, string summary, DateTimeOffset? endsAt = null) => endsAt is null
            ? new { labels = new { alertname = name, service = "checkout", severity = "critical" }, annotations = new { summary }, startsAt = started }
            : new { labels = new { alertname = name, service = "checkout", severity = "critical" }, annotations = new { summary }, startsAt = started, endsAt };

        await alertmanager.PostAsync(Alert("CheckoutErrors", "Checkout 5xx above 5%"), Alert("CheckoutLatency", "Checkout p99 above 2 s"));
        var open = await ListUntilAsync(host, "", i => i.GetArrayLength() == 1 && i[0].GetProperty("alerts").GetInt32() == 2);
        Assert.Equal(("triggered", "critical", 2), (open[0].GetProperty("status").GetString(), open[0].GetProperty("severity").GetString(), open[0].GetProperty("firingAlerts").GetInt32()));

        var ended = DateTimeOffset.UtcNow.AddSeconds(-1);
        await alertmanager.PostAsync(Alert("CheckoutErrors", "Checkout 5xx above 5%", ended), Alert("CheckoutLatency", "Checkout p99 above 2 s", ended));
        var resolved = await ListUntilAsync(host, "", i => i.GetArrayLength() == 1 && i[0].GetProperty("status").GetString() == "resolved");
        Assert.Equal(("auto", 0), (resolved[0].GetProperty("resolvedBy").GetString(), resolved[0].GetProperty("firingAlerts").GetInt32()));
        var kinds = (await DetailAsync(host, resolved[0].GetProperty("id").GetString()!)).GetProperty("timeline").EnumerateArray()
            .Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["alert-resolved", "alert-resolved", "resolved"], kinds.TakeLast(3));
    }

    [Fact]
    public async Task Detail_ShowsTheGoalsItsAlertsName_AndSampleTracesOfTheirFailures()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>(Settings) { ["TaskLens:Goals:QuietPeriod"] = "00:00:01" });
        string failedRun;
        using (var provider = GoalTraffic.CreateProvider(host, OtlpExportProtocol.Grpc, "incident-detail"))
        using (var source = new ActivitySource("incident-detail"))
        {
            using (var root = source.StartActivity("invoke_agent refund-claims", ActivityKind.Internal, default(ActivityContext))!)
            {
                root.SetTag("tasklens.goal.name", "refund-claims");
                using (var tool = source.StartActivity("execute_tool issue_refund", ActivityKind.Client, root.Context)!)
                {
                    tool.SetTag("gen_ai.operation.name", "execute_tool");
                    tool.SetStatus(ActivityStatusCode.Error, "payments API 503");
                }

                root.SetStatus(ActivityStatusCode.Error, "refund not issued");
                failedRun = root.TraceId.ToHexString();
            }

            Assert.True(provider.ForceFlush(10_000));
        }

        (await host.GetUntilAsync("/api/goals/refund-claims/runs?outcome=failed", d => d.RootElement.GetProperty("runs").GetArrayLength() == 1)).Dispose();
        using (var response = await host.Api.PostAsJsonAsync(new Uri("/api/alerts/events", UriKind.Relative), new
        {
            routing_key = Token,
            event_action = "trigger",
            dedup_key = "refunds-failing",
            payload = new { summary = "Refund claims failing", source = "agents", severity = "critical", custom_details = new { goal = "refund-claims", service = "agents" } },
        }))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var id = (await ListUntilAsync(host, "goal=refund-claims", i => i.GetArrayLength() == 1))[0].GetProperty("id").GetString()!;
        var detail = await DetailAsync(host, id);

        var goal = detail.GetProperty("goals").EnumerateArray().Single();
        Assert.Equal(("refund-claims", 1L, 0.0), (goal.GetProperty("name").GetString(), goal.GetProperty("failed").GetInt64(), goal.GetProperty("completionRate").GetDouble()));
        var samples = detail.GetProperty("sampleTraces").EnumerateArray().ToList();
        Assert.Contains(samples, t => t.GetProperty("traceId").GetString() == failedRun && t.GetProperty("message").GetString() == "goal run failed");
        Assert.Contains(samples, t => t.GetProperty("traceId").GetString() == failedRun && t.GetProperty("service").GetString() == "agents"
            && t.GetProperty("link").GetString() == "/api/traces/" + failedRun);
        Assert.Equal("Refund claims failing", detail.GetProperty("alerts")[0].GetProperty("title").GetString());
    }

    [Fact]
    public async Task AlertFlood_OfOverAThousandAlerts_FoldsIntoTheIncidentsTheCorrelatorFinds()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>(Settings) { ["TaskLens:Goals:QuietPeriod"] = "00:00:01" });
        var storms = new[] { "storm-03", "storm-04", "storm-05", "storm-06" }.Select(Storm.Load).ToList();
        var topology = storms.SelectMany(s => s.Topology).Select(e => (e[0], e[1])).Distinct().ToList();
        await SendCallsAsync(host, topology);
        await host.GetUntilAsync("/api/services/links", d => d.RootElement.GetProperty("links").GetArrayLength() == topology.Count);

        var alerts = storms.SelectMany(s => s.Alerts).ToList();
        var shift = DateTimeOffset.UtcNow.AddMinutes(-1) - alerts[^1].Time;
        alerts = alerts.Select(a => a with { Time = a.Time + shift }).ToList();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < alerts.Count;)
        {
            var batch = alerts.Skip(i).TakeWhile(a => a.Source == alerts[i].Source).Take(10).ToList();
            await SendAsync(host, batch);
            i += batch.Count;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{alerts.Count} alerts taken in {clock.Elapsed.TotalSeconds:0.0} s ({alerts.Count / clock.Elapsed.TotalMinutes:0} a minute)"));

        var incidentOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var listed = await ListUntilAsync(host, "limit=1000", _ => true);
        foreach (var incident in listed.EnumerateArray())
        {
            var id = incident.GetProperty("id").GetString()!;
            foreach (var alert in (await DetailAsync(host, id)).GetProperty("alerts").EnumerateArray())
            {
                incidentOf.Add(alert.GetProperty("fingerprint").GetString()!, id);
            }
        }

        Assert.Equal(alerts.Select(a => a.Id).Order(StringComparer.Ordinal), incidentOf.Keys.Order(StringComparer.Ordinal));
        var live = alerts.Select(a => incidentOf[a.Id]).ToList();
        var edges = new WorkloadTopology();
        foreach (var (caller, callee) in topology)
        {
            edges.ObserveCall(caller, callee);
        }

        var correlator = new AlertCorrelator(new AlertCorrelator.Settings(), edges);
        var offline = alerts.Select(a => correlator.Add(new CorrelationInput(a.Id, a.Source, a.Time, a.Title, a.Labels)).IncidentId).ToList();
        var same = GroupingScore.Of(offline, live);
        Assert.Equal((1.0, 1.0, same.TrueGroups), (same.Precision, same.Recall, same.Groups));

        var score = GroupingScore.Of(alerts.Select(a => a.Incident).ToList(), live);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{score.Groups} incidents for {score.TrueGroups} true: compression {score.Compression:P1}, pairwise precision {score.Precision:P1}, recall {score.Recall:P1}"));
        Assert.True(score.Compression >= 0.9, $"compression {score.Compression:P1}");
        Assert.True(score.Precision >= 0.95, $"pairwise precision {score.Precision:P1}");
    }

    /// <summary>One call per caller and callee: a client span in the caller, its server span in the callee, each service its own exporter.</summary>
    private static async Task SendCallsAsync(TaskLensHost host, IReadOnlyList<(string Caller, string Callee)> calls)
    {
        var services = calls.SelectMany(c => new[] { c.Caller, c.Callee }).Distinct().ToList();
        var providers = services.ToDictionary(s => s, s => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(s))
            .AddSource("flood." + s)
            .AddOtlpExporter(o => (o.Protocol, o.Endpoint) = (OtlpExportProtocol.Grpc, host.GrpcEndpoint))
            .Build()!);
        var sources = services.ToDictionary(s => s, s => new ActivitySource("flood." + s));
        foreach (var (caller, callee) in calls)
        {
            using var client = sources[caller].StartActivity("call " + callee, ActivityKind.Client)!;
            using var server = sources[callee].StartActivity("handle", ActivityKind.Server, client.Context)!;
        }

        foreach (var (service, provider) in providers)
        {
            Assert.True(provider.ForceFlush(10_000), $"the spans of {service} were not exported");
            provider.Dispose();
            sources[service].Dispose();
        }

        await host.WaitForStoredAsync();
    }

    /// <summary>A batch of one source: Alertmanager-shaped webhooks for Alertmanager, Grafana and our own; one events-API call each otherwise.</summary>
    private static async Task SendAsync(TaskLensHost host, IReadOnlyList<StormAlert> batch)
    {
        if (batch[0].Source == "events")
        {
            foreach (var a in batch)
            {
                using var response = await host.Api.PostAsJsonAsync(new Uri("/api/alerts/events", UriKind.Relative), new
                {
                    routing_key = Token,
                    event_action = "trigger",
                    dedup_key = a.Id,
                    payload = new { summary = a.Title, source = a.Labels.GetValueOrDefault("service", "unknown"), severity = "error", timestamp = a.Time, custom_details = a.Labels },
                });
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            return;
        }

        var path = batch[0].Source == "grafana" ? "/api/alerts/grafana/" : "/api/alerts/alertmanager/";
        using var webhook = await host.Api.PostAsJsonAsync(new Uri(path + Token, UriKind.Relative), new
        {
            version = "4",
            status = "firing",
            receiver = "tasklens",
            alerts = batch.Select(a => new { status = "firing", labels = a.Labels, annotations = new { summary = a.Title }, startsAt = a.Time, fingerprint = a.Id }),
        });
        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
    }

    private sealed record StormAlert(string Id, string Source, DateTimeOffset Time, string Title, Dictionary<string, string> Labels, string Incident);

    /// <summary>A storm of the first labelled corpus, kept for this test in <c>tests/data/alert-storms-v1/</c> (see docs/alerts.md).</summary>
    private sealed record Storm(List<string[]> Topology, List<StormAlert> Alerts)
    {
        public static Storm Load(string name)
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(root.FullName, "TaskLens.sln")))
            {
                root = root.Parent ?? throw new InvalidOperationException("TaskLens.sln not found above " + AppContext.BaseDirectory);
            }

            return JsonSerializer.Deserialize<Storm>(File.ReadAllText(Path.Combine(root.FullName, "tests", "data", "alert-storms-v1", name + ".json")))!;
        }
    }
}
