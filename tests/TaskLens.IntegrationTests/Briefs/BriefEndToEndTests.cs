using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.UnitTests.TestSupport;
using static TaskLens.IntegrationTests.Incidents.IncidentCalls;
using Step = TaskLens.UnitTests.TestSupport.FakeOpenAiServer.Step;

namespace TaskLens.IntegrationTests.Briefs;

/// <summary>
/// Briefs on the real Program and ClickHouse: spans from two services (checkout calling payments-db, which refuses
/// connections after a deploy) and alerts through the events API open an incident; its brief mines the error, ranks
/// payments-db first, and a loopback OpenAI-compatible model, after calling an evidence function, writes a narrative
/// citing what that function returned. The brief is in the timeline, regeneration is rate limited, and the MCP server
/// answers the SDK's own client.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class BriefEndToEndTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task Brief_FactsNarrativeTimelineRegenerateAndMcp_OverRealTelemetry()
    {
        await using var model = await FakeOpenAiServer.StartAsync();
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>(Settings)
        {
            ["TaskLens:Llm:Endpoint"] = model.Endpoint.ToString(),
            ["TaskLens:Llm:Model"] = FakeOpenAiServer.Model,
            ["TaskLens:Llm:ApiKey"] = FakeOpenAiServer.Key,
            ["TaskLens:Briefs:Debounce"] = "00:00:02",
            ["TaskLens:Goals:QuietPeriod"] = "00:00:01",
            ["TaskLens:Briefs:Runbooks:Services:payments-db"] = "https://runbooks.example.com/payments-db",
        });
        var errorTrace = SendTraffic(host);
        await host.WaitForStoredAsync();

        // Correlation joins the two services' alerts once it has learnt from finished runs that checkout calls payments-db.
        (await host.GetUntilAsync("/api/services/links", d => d.RootElement.GetProperty("links").EnumerateArray()
            .Any(l => l.GetProperty("caller").GetString() == "checkout" && l.GetProperty("callee").GetString() == "payments-db"))).Dispose();

        string? incidentId = null;
        model.Then(Step.CallTool("trace_summary", $"{{\"traceId\":\"{errorTrace}\"}}"))
            .Then(request =>
            {
                // The tool's answer holds the trace's span count: the narrative may cite it because the function returned it.
                var tool = request["messages"]!.AsArray().Last(m => (string?)m!["role"] == "tool")!;
                using var summary = JsonDocument.Parse((string)tool["content"]!);
                var spans = summary.RootElement.GetProperty("spans").GetInt32();
                return Step.Text($"Incident {incidentId}: payments-db refuses connections. Trace {errorTrace} shows it across {spans} spans.");
            });
        await TriggerAsync(host, "db-refused", "payments-db connections refused", "payments-db", "critical");
        await TriggerAsync(host, "checkout-errors", "checkout errors: payments-db connections refused", "checkout");
        var incidents = await ListUntilAsync(host, "", i => i.GetArrayLength() == 1 && i[0].GetProperty("alerts").GetInt32() == 2);
        incidentId = incidents[0].GetProperty("id").GetString()!;

        using var brief = await host.GetUntilAsync($"/api/incidents/{incidentId}/brief", d => d.RootElement.GetProperty("narrative").GetProperty("status").GetString() is "accepted" or "rejected" or "failed");
        var root = brief.RootElement;
        var narrative = root.GetProperty("narrative");
        Assert.True(narrative.GetProperty("status").GetString() == "accepted", narrative.ToString());
        Assert.Equal((FakeOpenAiServer.Model, 2, 1), (narrative.GetProperty("model").GetString(), narrative.GetProperty("modelCalls").GetInt32(), narrative.GetProperty("functionCalls").GetInt32()));
        Assert.Equal((2400, 300), (narrative.GetProperty("inputTokens").GetInt32(), narrative.GetProperty("outputTokens").GetInt32()));
        Assert.Equal((2400 * 0.15 + 300 * 0.6) / 1e6, narrative.GetProperty("cost").GetDouble(), 9);
        Assert.StartsWith($"Incident {incidentId}: payments-db refuses", root.GetProperty("summary").GetString(), StringComparison.Ordinal);

        var facts = root.GetProperty("facts");
        var template = facts.GetProperty("errorTemplates").EnumerateArray().First(t => t.GetProperty("service").GetString() == "payments-db");
        Assert.Equal(("connection to <*> refused", 3), (template.GetProperty("template").GetString(), template.GetProperty("count").GetInt32()));
        var origin = facts.GetProperty("origins")[0];
        Assert.Equal("payments-db", origin.GetProperty("name").GetString());
        var evidence = origin.GetProperty("evidence").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Contains("upstream", evidence);
        Assert.Contains("version-change", evidence);
        Assert.Contains(facts.GetProperty("nextSteps").EnumerateArray(), s => s.GetProperty("url").GetString() == "https://runbooks.example.com/payments-db");
        Assert.Equal("Bearer " + FakeOpenAiServer.Key, model.Requests.First().Authorization);

        var timeline = (await DetailAsync(host, incidentId)).GetProperty("timeline").EnumerateArray().ToList();
        Assert.Contains(timeline, e => e.GetProperty("kind").GetString() == "brief-written"
            && e.GetProperty("text").GetString()!.Contains("narrative by gpt-4o-mini", StringComparison.Ordinal));

        model.Then(Step.Text($"Incident {incidentId}: payments-db refuses connections."));
        using (var regenerated = await host.Api.PostAsync(new Uri($"/api/incidents/{incidentId}/brief/regenerate", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, regenerated.StatusCode);
            using var json = JsonDocument.Parse(await regenerated.Content.ReadAsStringAsync());
            Assert.True(json.RootElement.GetProperty("version").GetInt64() > root.GetProperty("version").GetInt64());
        }

        using (var again = await host.Api.PostAsync(new Uri($"/api/incidents/{incidentId}/brief/regenerate", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
            Assert.True(again.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        using (var unknown = await host.Api.GetAsync(new Uri("/api/incidents/inc-999/brief", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var notJson = await host.Api.PostAsync(new Uri("/mcp", UriKind.Relative), new StringContent("hello")))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        }

        await using var mcp = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri($"http://127.0.0.1:{host.ApiPort}/mcp") }));
        var tools = await mcp.ListToolsAsync();
        Assert.Equal(["get_incident", "goal_series", "list_incidents", "search_logs_by_template", "trace_summary"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tools, t => Assert.True(t.ProtocolTool.Annotations?.ReadOnlyHint, t.Name));
        var listed = Text(await mcp.CallToolAsync("list_incidents", new Dictionary<string, object?>()));
        Assert.Contains($"\"id\":\"{incidentId}\"", listed, StringComparison.Ordinal);
        var withBrief = Text(await mcp.CallToolAsync("get_incident", new Dictionary<string, object?> { ["id"] = incidentId }));
        Assert.Contains("connection to \\u003C*\\u003E refused", withBrief, StringComparison.Ordinal);
        var trace = Text(await mcp.CallToolAsync("trace_summary", new Dictionary<string, object?> { ["traceId"] = errorTrace }));
        Assert.Contains("\"errorSpans\":2", trace, StringComparison.Ordinal);
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    /// <summary>
    /// checkout (1.0) calls payments-db; payments-db 4.1 ran fine, then 4.2 refuses connections three times. Returns a
    /// failing trace.
    /// </summary>
    private static string SendTraffic(TaskLensHost host)
    {
        using var checkoutSource = new ActivitySource("brief-checkout");
        using var dbSource = new ActivitySource("brief-db");
        using var checkout = Provider(host, "checkout", "1.0.0", "brief-checkout");
        var failing = "";
        foreach (var (version, errors) in new[] { ("4.1.0", false), ("4.2.0", true) })
        {
            using var db = Provider(host, "payments-db", version, "brief-db");
            for (var i = 0; i < 3; i++)
            {
                using var call = checkoutSource.StartActivity("POST /orders", ActivityKind.Server, default(ActivityContext))!;
                using (var client = checkoutSource.StartActivity("db query", ActivityKind.Client)!)
                {
                    using var server = dbSource.StartActivity("query", ActivityKind.Server, client.Context)!;
                    if (errors)
                    {
                        server.SetStatus(ActivityStatusCode.Error, string.Create(CultureInfo.InvariantCulture, $"connection to 10.0.4.{i}:5432 refused"));
                        client.SetStatus(ActivityStatusCode.Error, "db query failed");
                        failing = server.TraceId.ToHexString();
                    }
                }
            }

            Assert.True(db.ForceFlush(10_000));
            Thread.Sleep(1100);
        }

        Assert.True(checkout.ForceFlush(10_000));
        return failing;
    }

    private static TracerProvider Provider(TaskLensHost host, string service, string version, string source) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service, serviceVersion: version))
            .AddSource(source)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.Grpc;
                o.Endpoint = host.GrpcEndpoint;
            })
            .Build()!;
}
