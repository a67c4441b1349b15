using System.Text.Json;
using Microsoft.Playwright;
using TaskLens.IntegrationTests.Detection;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.E2ETests;

/// <summary>Goals, a goal's charts, a run and the other read pages in Chromium, filled by the agent simulator.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class GoalPagesTests(ClickHouseFixture clickHouse, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly Dictionary<string, string?> QuickRuns = new()
    {
        ["TaskLens:Goals:QuietPeriod"] = "00:00:01",
        ["TaskLens:Goals:SweepInterval"] = "00:00:00.100",
    };

    [Fact]
    public async Task GoalChart_AgentSimRuns_DrawsTheirPointsAndLinksToRuns()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, QuickRuns);
        Assert.Equal(0, await TaskLens.AgentSim.Program.Main(["--endpoint", host.GrpcEndpoint.ToString(), "--goals", "9", "--fanout", "30", "--error-rate", "0.1"]));
        await host.WaitForStoredAsync();
        using (await host.GetUntilAsync("/api/goals", d => d.RootElement.GetProperty("goals").EnumerateArray().Sum(g => g.GetProperty("completed").GetInt64() + g.GetProperty("failed").GetInt64()) == 9))
        {
        }

        var page = await Dashboard.OpenAsync(browser.Browser, host.ApiPort, "goals");
        var names = (await page.Locator(".goal-row .goal-name").AllTextContentsAsync()).Select(n => n.Trim()).ToList();
        Assert.NotEmpty(names);
        Assert.Equal(9, (await page.Locator(".goal-row .goal-runs").AllTextContentsAsync()).Sum(r => int.Parse(r.Trim(), System.Globalization.CultureInfo.InvariantCulture)));
        await Screenshots.TakeAsync(page, "goals");

        await page.FillAsync("#goal-filter", names[0]);
        // The filter is applied by the server over the circuit: wait (retrying) until the table shows only that goal.
        await Assertions.Expect(page.Locator(".goal-row .goal-name")).ToHaveTextAsync([names[0]]);

        await page.ClickAsync($".goal-row .goal-name:text-is('{names[0]}')");
        await page.WaitForSelectorAsync("#app[data-interactive='true']");
        var finished = page.Locator(".time-chart-canvas[aria-label^='runs finished per step']");
        await finished.Locator("canvas").First.WaitForAsync();
        Assert.True(int.Parse(await finished.GetAttributeAsync("data-drawn") ?? "0", System.Globalization.CultureInfo.InvariantCulture) >= 1);
        await page.Locator(".time-chart-canvas canvas").Nth(6).WaitForAsync();
        Assert.Equal(7, await page.Locator(".time-chart-canvas canvas").CountAsync());
        await Screenshots.TakeAsync(page, "goal-detail");

        await page.Locator("#recent-runs .run-link").First.ClickAsync();
        await page.WaitForSelectorAsync(".run-tree-row.group");
        Assert.True(await page.Locator(".run-tree-row.group").CountAsync() >= 2);
        Assert.True(await page.Locator(".waterfall-row").CountAsync() >= 30);
        // Keyboard: Enter on a group's button opens it.
        var group = page.Locator(".run-tree-row.group").Nth(1);
        Assert.Equal("false", await group.GetAttributeAsync("aria-expanded"));
        await group.Locator("button").PressAsync("Enter");
        await Assertions.Expect(group).ToHaveAttributeAsync("aria-expanded", "true");
        await Screenshots.TakeAsync(page, "run");

        var runId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        await Dashboard.GoAsync(page, host.ApiPort, "explore?trace=" + runId);
        await page.WaitForSelectorAsync(".waterfall-row");
        await Screenshots.TakeAsync(page, "explore");

        await Dashboard.GoAsync(page, host.ApiPort, "services");
        await page.WaitForSelectorAsync(".operations td");
        await Screenshots.TakeAsync(page, "services");

        await Dashboard.GoAsync(page, host.ApiPort, "/");
        await page.WaitForSelectorAsync(".time-chart-canvas canvas");
        Assert.Equal("0", (await page.TextContentAsync("#refusals"))?.Trim());
        await Screenshots.TakeAsync(page, "overview");
        await page.ClickAsync("#theme-toggle");
        await page.WaitForSelectorAsync("#theme-toggle[aria-label='Switch to light theme']");
        await Screenshots.TakeAsync(page, "overview-dark");
        await page.SetViewportSizeAsync(390, 844);
        await Screenshots.TakeAsync(page, "overview-390px");
    }

    [Fact]
    public async Task GoalChart_LongHistory_ShadesTheDetectorsBandAndMarksItsFinding()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Detection:Enabled"] = "false",
        });
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60);
        var seeded = await SteadyGoalHistory.SeedAsync(host, "triage-inbox", now);
        Assert.Contains(seeded.Raised, f => f.Metric == "completion_rate");

        // The last hour (the page's default window) holds the last 50 or 51 minutes of the history (as the clock has
        // moved on since it was stored), each judged with limits.
        var page = await Dashboard.OpenAsync(browser.Browser, host.ApiPort, "goals/triage-inbox");
        var completion = page.Locator(".time-chart-canvas[aria-label^='completion rate']");
        await Assertions.Expect(completion).ToHaveAttributeAsync("data-markers", "1", new() { Timeout = 15_000 });
        var drawn = await completion.GetAttributeAsync("data-drawn");
        Assert.Contains(drawn, new[] { "50", "51" });
        Assert.Equal(drawn, await completion.GetAttributeAsync("data-band"));
        Assert.Contains("limits the detector judged each step against", await page.TextContentAsync("#goal-band-note") ?? "", StringComparison.Ordinal);
        Assert.Contains("completion rate dropped to 20%", await page.TextContentAsync(".goal-markers") ?? "", StringComparison.Ordinal);
        await Screenshots.TakeAsync(page, "goal");
    }
}
