using System.Net;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.IntegrationTests.Ingest;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.E2ETests;

/// <summary>The services page in a real browser, fed by real OTLP exports into a real ClickHouse.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class ServicesPageTests(ClickHouseFixture clickHouse, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    /// <summary>A span that started a moment ago: the page shows the last hour.</summary>
    private static Action<ProtoBuilder> Recent(byte seed, string name)
    {
        var start = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        return s => s.BytesField(1, Otlp.TraceId(seed)).BytesField(2, Otlp.SpanId(seed)).StringField(5, name).Fixed64Field(7, start).Fixed64Field(8, start + 500);
    }

    [Fact]
    public async Task ServicesPage_AfterExports_ListsEachServiceWithItsSpanCount()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse);
        var page = await browser.Browser.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{host.ApiPort}/services");
        Assert.Equal("No spans in the last hour. Point an OpenTelemetry exporter at port 4317 (gRPC) or 4318 (HTTP).", (await page.TextContentAsync("#no-services"))?.Trim());

        var checkout = Otlp.Request("checkout", Recent(1, "pay"), Recent(2, "pay"), Recent(3, "refund"));
        var planner = Otlp.Request("planner-agent", Recent(4, "plan"));
        using (var first = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, checkout))
        using (var second = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, planner))
        {
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        }

        // Acknowledged means spooled; the page reads ClickHouse, which the spool reaches a moment later.
        await host.WaitForStoredAsync();
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#app[data-interactive='true'] #services .span-count");
        var names = await page.Locator("#services .service-name").AllTextContentsAsync();
        var counts = await page.Locator("#services .span-count").AllTextContentsAsync();
        var rows = names.Zip(counts).ToDictionary(r => r.First.Trim(), r => r.Second.Trim());

        Assert.Equal(new Dictionary<string, string> { ["checkout"] = "3", ["planner-agent"] = "1" }, rows);
        Assert.Equal(["pay", "refund"], (await page.Locator(".service:has(.service-name:text-is('checkout')) .operations tbody td:first-child").AllTextContentsAsync()).Select(t => t.Trim()));
        Assert.Equal("TaskLens · Services", await page.TitleAsync());
        await Screenshots.TakeAsync(page, "services-first-exports");
    }
}
