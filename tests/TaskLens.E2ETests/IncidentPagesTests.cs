using System.Net;
using Microsoft.Playwright;
using TaskLens.IntegrationTests.Incidents;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.E2ETests;

/// <summary>Incidents in Chromium: triage from the page, live updates on other pages, and a stale change shown.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class IncidentPagesTests(ClickHouseFixture clickHouse, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Acknowledge_OnOnePage_ShowsLiveOnTheOtherPageAndTheList()
    {
        await using var host = await StartWithIncidentAsync();
        var first = await Dashboard.OpenAsync(browser.Browser, host.ApiPort, "incidents/inc-1");
        var second = await Dashboard.OpenAsync(browser.Browser, host.ApiPort, "incidents/inc-1");
        var list = await Dashboard.OpenAsync(browser.Browser, host.ApiPort, "incidents");
        Assert.Equal("triggered", (await second.TextContentAsync(".incident-state .status"))?.Trim());
        await Screenshots.TakeAsync(list, "incidents");

        await first.ClickAsync("#triage-ack");

        // No reload: the change reaches the other pages over their circuits.
        await Assertions.Expect(second.Locator(".incident-state .status")).ToHaveTextAsync("acknowledged", new() { Timeout = 10_000 });
        await second.WaitForSelectorAsync(".timeline-acknowledged");
        await Assertions.Expect(list.Locator("tr.incident-row .status")).ToHaveTextAsync("acknowledged", new() { Timeout = 10_000 });
        Assert.Contains("local (open mode)", await second.TextContentAsync(".timeline-acknowledged") ?? "", StringComparison.Ordinal);
        await Screenshots.TakeAsync(second, "incident");
        await second.SetViewportSizeAsync(390, 844);
        await Screenshots.TakeAsync(second, "incident-390px");
    }

    [Fact]
    public async Task Note_AcknowledgedElsewhereWhileTyping_ShowsTheConflictInsteadOfOverwriting()
    {
        await using var host = await StartWithIncidentAsync();
        var page = await Dashboard.OpenAsync(browser.Browser, host.ApiPort, "incidents/inc-1");
        var version = long.Parse((await page.TextContentAsync("#incident-version"))!.Trim()["Version ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        await page.FillAsync("#triage-note-text", "restarting the search tool");

        var (status, _) = await IncidentCalls.TriageAsync(host, "inc-1", "ack", new { version, by = "ana" });
        Assert.Equal(HttpStatusCode.OK, status);
        await Assertions.Expect(page.Locator(".incident-state .status")).ToHaveTextAsync("acknowledged", new() { Timeout = 10_000 });

        await page.ClickAsync("#triage-note");
        var conflict = await page.WaitForSelectorAsync("#triage-conflict");
        var text = await conflict!.TextContentAsync() ?? "";
        Assert.Contains($"you saw version {version}", text, StringComparison.Ordinal);
        Assert.Contains("ana · acknowledged", text, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator(".timeline-noted").CountAsync());
        await Screenshots.TakeAsync(page, "incident-conflict");

        await page.ClickAsync("#triage-conflict-apply");
        await page.WaitForSelectorAsync(".timeline-noted");
        Assert.Contains("restarting the search tool", await page.TextContentAsync(".timeline-noted") ?? "", StringComparison.Ordinal);
    }

    private async Task<TaskLensHost> StartWithIncidentAsync()
    {
        var host = await TaskLensHost.StartAsync(clickHouse, IncidentCalls.Settings);
        await IncidentCalls.TriggerAsync(host, "search-errors", "search tool error rate above 5%", "search-tool", "critical");
        await IncidentCalls.TriggerAsync(host, "search-latency", "search tool latency above 2 s", "search-tool");
        await IncidentCalls.ListUntilAsync(host, "", i => i.GetArrayLength() == 1 && i[0].GetProperty("alerts").GetInt32() == 2);
        return host;
    }
}
