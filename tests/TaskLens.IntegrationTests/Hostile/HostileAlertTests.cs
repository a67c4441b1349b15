using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Hostile;

/// <summary>
/// Senders choose fingerprints, labels and words, which become keys in memory and rows in ClickHouse: random ones by the
/// thousand are bounded per request and per tenant, and another tenant's alerts still get in.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class HostileAlertTests(ClickHouseFixture clickHouse)
{
    private const string Token = "itest-hostile-token-01";
    private const string OtherToken = "itest-hostile-token-02";

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["TaskLens:Alerts:Tokens:0:Token"] = Token,
        ["TaskLens:Alerts:Tokens:0:Tenant"] = "default",
        ["TaskLens:Alerts:Tokens:1:Token"] = OtherToken,
        ["TaskLens:Alerts:Tokens:1:Tenant"] = "other",
        ["TaskLens:Alerts:Limits:MaxAlertsPerTenant"] = "1500",
        ["TaskLens:Incidents:MaxOpenIncidents"] = "50",
    };

    [Fact]
    public async Task Webhook_With5000RandomFingerprints_IsRefused_AndStoresNothing()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings);

        using var response = await PostAsync(host, Token, RandomAlerts(5_000, "flood"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("At most 1000 alerts per request", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0UL, await CountAsync(host, "SELECT count() AS n FROM alert_events"));
    }

    [Fact]
    public async Task RandomFingerprints_PastTheTenantCap_AreRefused429_RowsStayBounded_AndAnotherTenantStillGetsIn()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings);
        var statuses = new List<HttpStatusCode>();
        for (var round = 0; round < 5; round++)
        {
            using var response = await PostAsync(host, Token, RandomAlerts(1_000, "round" + round));
            statuses.Add(response.StatusCode);
        }

        var clock = Stopwatch.StartNew();
        using (var other = await PostAsync(host, OtherToken, RandomAlerts(1, "other")))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        var otherTook = clock.Elapsed;

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(await CountAsync(host, "SELECT uniqExact(fingerprint) AS n FROM alert_events WHERE tenant = 'default'") <= 1_500);
        Assert.Equal(1UL, await CountAsync(host, "SELECT uniqExact(fingerprint) AS n FROM alert_events WHERE tenant = 'other'"));
        Assert.True(await CountAsync(host, "SELECT uniqExact(id) AS n FROM incidents WHERE tenant = 'default'") <= 50, "open incidents are capped per tenant");
        Assert.True(otherTook < TimeSpan.FromSeconds(5), $"another tenant's alert took {otherTook.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task AlertLinks_OtherThanHttp_AreDropped()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings);
        var body = """
            {"version":"4","status":"firing","alerts":[
              {"status":"firing","labels":{"alertname":"Evil"},"annotations":{},"generatorURL":"javascript:alert(document.cookie)"},
              {"status":"firing","labels":{"alertname":"Fine"},"annotations":{},"generatorURL":"https://prometheus.example/graph?g0.expr=up"}]}
            """;
        using (var response = await PostAsync(host, Token, body))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var states = await host.GetUntilAsync("/api/alert-states", d => d.RootElement.GetProperty("alerts").GetArrayLength() == 2);
        var urls = states.RootElement.GetProperty("alerts").EnumerateArray().ToDictionary(a => a.GetProperty("title").GetString()!, a => a.GetProperty("url").GetString());
        Assert.Equal(("", "https://prometheus.example/graph?g0.expr=up"), (urls["Evil"], urls["Fine"]));
    }

    private static string RandomAlerts(int count, string prefix)
    {
        var alerts = Enumerable.Range(0, count).Select(_ =>
        {
            var id = Guid.NewGuid().ToString("N");
            return $$"""{"status":"firing","labels":{"alertname":"{{prefix}}{{id[..12]}}","instance":"{{id}}","severity":"critical"},"annotations":{},"fingerprint":"{{id}}"}""";
        });
        return $$"""{"version":"4","status":"firing","alerts":[{{string.Join(",", alerts)}}]}""";
    }

    private static async Task<HttpResponseMessage> PostAsync(TaskLensHost host, string token, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await host.Api.PostAsync(new Uri("/api/alerts/alertmanager/" + token, UriKind.Relative), content);
    }

    private async Task<ulong> CountAsync(TaskLensHost host, string sql)
    {
        using var client = clickHouse.CreateClient(host.Database);
        return (await client.QueryAsync(sql, row => row.GetUInt64("n"), CancellationToken.None)).Single();
    }
}
