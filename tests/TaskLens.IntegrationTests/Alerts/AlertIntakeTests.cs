using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Alerts;

/// <summary>
/// The alert intake over real HTTP and ClickHouse: a real Alertmanager fires and resolves an alert into TaskLens;
/// refused webhooks (no or wrong token, bad JSON, wrong version, wrong content type, too large) store nothing and open no incident; the
/// events API dedups, resolves and counts a re-fire.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class AlertIntakeTests(ClickHouseFixture clickHouse)
{
    private const string Token = "itest-alert-token-0001";

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["TaskLens:Alerts:Tokens:0:Token"] = Token,
        ["TaskLens:Alerts:Tokens:0:Tenant"] = "default",
    };

    [Fact]
    public async Task Alertmanager_FiresAndResolves_EndToEnd()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings);
        await using var alertmanager = await AlertmanagerProcess.StartAsync($"http://127.0.0.1:{host.ApiPort}/api/alerts/alertmanager", Token);
        var labels = new Dictionary<string, string> { ["alertname"] = "CheckoutErrors", ["service"] = "checkout", ["severity"] = "critical" };
        var annotations = new Dictionary<string, string> { ["summary"] = "Checkout error rate above 5%", ["description"] = "5xx share 7.2% over 5 minutes" };

        await alertmanager.PostAsync(new { labels, annotations, startsAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        using (var firing = await StatesUntilAsync(host, "source=alertmanager", s => s.GetArrayLength() == 1 && s[0].GetProperty("status").GetString() == "firing"))
        {
            var state = firing.RootElement.GetProperty("alerts")[0];
            Assert.Equal(("Checkout error rate above 5%", "5xx share 7.2% over 5 minutes", "critical", 1),
                (state.GetProperty("title").GetString(), state.GetProperty("message").GetString(), state.GetProperty("severity").GetString(), state.GetProperty("fires").GetInt32()));
            Assert.Equal("checkout", state.GetProperty("labels").GetProperty("service").GetString());
            Assert.Matches("^[0-9a-f]{16}$", state.GetProperty("fingerprint").GetString()); // Alertmanager's own fingerprint
        }

        await alertmanager.PostAsync(new { labels, annotations, startsAt = DateTimeOffset.UtcNow.AddMinutes(-1), endsAt = DateTimeOffset.UtcNow.AddSeconds(-1) });
        using var resolved = await StatesUntilAsync(host, "source=alertmanager", s => s.GetArrayLength() == 1 && s[0].GetProperty("status").GetString() == "resolved");
        var after = resolved.RootElement.GetProperty("alerts")[0];
        Assert.Equal(1, after.GetProperty("fires").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, after.GetProperty("resolvedAt").ValueKind);
    }

    [Fact]
    public async Task RefusedWebhooks_StoreNothing_AndAGoodOneAfterwardsIsTaken()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings);
        var good = Payload("firing", "DiskFull");

        await Refused(host, "/api/alerts/alertmanager/wrong-token-000000", good, "application/json", HttpStatusCode.Unauthorized);
        await Refused(host, "/api/alerts/alertmanager/" + Token, "{\"version\":\"4\",\"alerts\":[", "application/json", HttpStatusCode.BadRequest);
        await Refused(host, "/api/alerts/alertmanager/" + Token, good.Replace("\"version\":\"4\"", "\"version\":\"3\"", StringComparison.Ordinal), "application/json", HttpStatusCode.BadRequest);
        await Refused(host, "/api/alerts/alertmanager/" + Token, Payload("exploded", "DiskFull"), "application/json", HttpStatusCode.BadRequest);
        await Refused(host, "/api/alerts/alertmanager/" + Token, good, "text/plain", HttpStatusCode.UnsupportedMediaType);
        await Refused(host, "/api/alerts/alertmanager/" + Token, Payload("firing", new string('x', 1_100_000)), "application/json", HttpStatusCode.RequestEntityTooLarge);
        using (var states = await host.Api.GetAsync("/api/alert-states"))
        {
            Assert.Equal(0, (await states.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("alerts").GetArrayLength());
        }

        using (var incidents = await host.Api.GetAsync("/api/incidents"))
        {
            Assert.Equal(0, (await incidents.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("incidents").GetArrayLength());
        }

        using var content = new StringContent(good, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/alerts/grafana") { Content = content };
        request.Headers.Authorization = new("Bearer", Token);
        using var accepted = await host.Api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        using var stored = await StatesUntilAsync(host, "source=grafana", s => s.GetArrayLength() == 1);
        Assert.Equal("DiskFull", stored.RootElement.GetProperty("alerts")[0].GetProperty("title").GetString());
        using var opened = await host.Api.GetAsync("/api/incidents");
        Assert.Equal("DiskFull", (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("incidents")[0].GetProperty("title").GetString());
    }

    [Fact]
    public async Task EventsApi_TriggerResolveRetrigger_DedupsAndCountsTheRefire()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings);
        var trigger = new { routing_key = Token, event_action = "trigger", dedup_key = "db-latency", payload = new { summary = "DB p99 latency 2.3 s", source = "orders-db", severity = "error", custom_details = new { p99_ms = 2300 } } };

        using (var bad = await host.Api.PostAsJsonAsync("/api/alerts/events", new { routing_key = Token, event_action = "explode", payload = new { summary = "" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var body = await bad.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("invalid event", body.GetProperty("status").GetString());
            Assert.Contains("'event_action' must be one of trigger, acknowledge, resolve.", body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        }

        using (var wrongKey = await host.Api.PostAsJsonAsync("/api/alerts/events", trigger with { routing_key = "not-a-configured-token" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        }

        foreach (var action in new[] { "trigger", "trigger", "resolve", "trigger" })
        {
            using var response = await host.Api.PostAsJsonAsync("/api/alerts/events", trigger with { event_action = action });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal("db-latency", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("dedup_key").GetString());
        }

        using var states = await StatesUntilAsync(host, "source=events", s => s.GetArrayLength() == 1 && s[0].GetProperty("events").GetInt32() == 4);
        var state = states.RootElement.GetProperty("alerts")[0];
        Assert.Equal(("firing", 2, "critical", "2300"), (state.GetProperty("status").GetString(), state.GetProperty("fires").GetInt32(),
            state.GetProperty("severity").GetString(), state.GetProperty("labels").GetProperty("p99_ms").GetString()));
    }

    private static string Payload(string status, string alertName) => $$"""
        {"version":"4","status":"{{status}}","receiver":"tasklens","groupLabels":{},"commonLabels":{},"commonAnnotations":{},
         "alerts":[{"status":"{{status}}","labels":{"alertname":"{{alertName}}","severity":"warning"},"annotations":{},
                    "startsAt":"2026-11-26T01:00:00Z","fingerprint":"0123456789abcdef"}]}
        """;

    private static async Task Refused(TaskLensHost host, string path, string body, string contentType, HttpStatusCode expected)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new(contentType);
        using var response = await host.Api.PostAsync(path, content);
        Assert.Equal(expected, response.StatusCode);
    }

    private static Task<JsonDocument> StatesUntilAsync(TaskLensHost host, string query, Func<JsonElement, bool> done) =>
        host.GetUntilAsync("/api/alert-states?" + query, d => done(d.RootElement.GetProperty("alerts")));
}
