using System.Net;
using System.Text;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Hostile;

/// <summary>
/// What a browser meets: a page whose DNS name was rebound to loopback is refused, answers are never sniffed as HTML,
/// and markup a sender stored comes back escaped in JSON.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class BrowserSafetyTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task OnLoopback_ForeignHostNames_AreRefused_AndEveryAnswerSaysNosniff()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse);

        using var rebound = await GetWithHostAsync(host, "/api/incidents", "attacker.example");
        using var local = await GetWithHostAsync(host, "/api/incidents", "localhost:" + host.ApiPort);
        using var ip = await GetWithHostAsync(host, "/healthz", "127.0.0.1:" + host.ApiPort);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.OK, HttpStatusCode.OK), (rebound.StatusCode, local.StatusCode, ip.StatusCode));
        Assert.Equal("nosniff", Assert.Single(local.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("nosniff", Assert.Single(ip.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task AllowedHosts_SetByTheOperator_Wins()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?> { ["AllowedHosts"] = "tasklens.internal" });

        using var named = await GetWithHostAsync(host, "/healthz", "tasklens.internal");
        using var other = await GetWithHostAsync(host, "/healthz", "localhost");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.BadRequest), (named.StatusCode, other.StatusCode));
    }

    [Fact]
    public async Task StoredMarkup_ComesBackEscaped_InApiJson()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse);
        const string traceId = "6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b";
        var body = $$$$"""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"<b>svc</b>"}}]},"scopeSpans":[{"spans":[
              {"traceId":"{{{{traceId}}}}","spanId":"0000000000000001","name":"<script>alert(1)</script>","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000000000100",
               "attributes":[{"key":"list","value":{"arrayValue":{"values":[{"stringValue":"<img src=x onerror=alert(1)>"}]}}}]}]}]}]}
            """;
        using (var export = await host.Api.PostAsync(host.HttpTracesEndpoint, new StringContent(body, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        }

        await host.WaitForStoredAsync();
        var text = await host.Api.GetStringAsync(new Uri($"/api/traces/{traceId}", UriKind.Relative));

        Assert.DoesNotContain("<", text, StringComparison.Ordinal);
        Assert.Contains("\\u003Cscript\\u003E", text, StringComparison.Ordinal);
        Assert.Contains("\\u003Cimg", text, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> GetWithHostAsync(TaskLensHost host, string path, string hostHeader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Host = hostHeader;
        return await host.Api.SendAsync(request);
    }
}
