using System.Globalization;
using System.Net;
using System.Text;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Goals;

/// <summary>The run page, rendered by the real server over a run stored in ClickHouse.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class RunPageTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task RunPage_RunWithMoreSpansThanOneRead_SaysItShowsOnlyPartOfThem()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Goals:QuietPeriod"] = "00:00:01",
            ["TaskLens:Goals:SweepInterval"] = "00:00:00.100",
        });
        const string traceId = "7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b";
        const int toolCalls = 10_049; // with the goal span: 10,050 spans, 50 past what one read carries
        var start = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120) * 1_000_000_000L;
        var spans = new StringBuilder();
        spans.Append(CultureInfo.InvariantCulture,
            $$$"""{"traceId":"{{{traceId}}}","spanId":"{{{1:x16}}}","name":"invoke_agent big","startTimeUnixNano":"{{{start}}}","endTimeUnixNano":"{{{start + 2_000_000_000}}}","attributes":[{"key":"tasklens.goal.name","value":{"stringValue":"big"}}]}""");
        for (var i = 0; i < toolCalls; i++)
        {
            spans.Append(CultureInfo.InvariantCulture,
                $$$""",{"traceId":"{{{traceId}}}","spanId":"{{{i + 2:x16}}}","parentSpanId":"{{{1:x16}}}","name":"execute_tool search","startTimeUnixNano":"{{{start + 1_000 + i}}}","endTimeUnixNano":"{{{start + 1_000_000 + i}}}","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"execute_tool"}}]}""");
        }

        var body = $$$"""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agent"}}]},"scopeSpans":[{"spans":[{{{spans}}}]}]}]}""";
        using (var export = await host.Api.PostAsync(host.HttpTracesEndpoint, new StringContent(body, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        }

        using var run = await host.GetUntilAsync($"/api/runs/{traceId}", _ => true);
        Assert.True(run.RootElement.GetProperty("truncated").GetBoolean());

        var html = await host.Api.GetStringAsync(new Uri($"/runs/{traceId}", UriKind.Relative));
        Assert.Contains("Truncated: showing 10,000 of 10,050 spans", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains("id=\"run-truncated\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunPage_SmallRun_HasNoTruncationMarker()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Goals:QuietPeriod"] = "00:00:01",
            ["TaskLens:Goals:SweepInterval"] = "00:00:00.100",
        });
        const string traceId = "7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c";
        var start = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120) * 1_000_000_000L;
        var body = $$$"""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agent"}}]},"scopeSpans":[{"spans":[{"traceId":"{{{traceId}}}","spanId":"{{{1:x16}}}","name":"invoke_agent small","startTimeUnixNano":"{{{start}}}","endTimeUnixNano":"{{{start + 1_000_000}}}","attributes":[{"key":"tasklens.goal.name","value":{"stringValue":"small"}}]}]}]}]}""";
        using (var export = await host.Api.PostAsync(host.HttpTracesEndpoint, new StringContent(body, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        }

        using var run = await host.GetUntilAsync($"/api/runs/{traceId}", _ => true);
        var html = await host.Api.GetStringAsync(new Uri($"/runs/{traceId}", UriKind.Relative));
        Assert.Contains("Run of", html, StringComparison.Ordinal);
        Assert.DoesNotContain("run-truncated", html, StringComparison.Ordinal);
    }
}
