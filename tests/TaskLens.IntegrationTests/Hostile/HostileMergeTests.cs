using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using TaskLens.IntegrationTests.Infrastructure;
using static TaskLens.IntegrationTests.Incidents.IncidentCalls;

namespace TaskLens.IntegrationTests.Hostile;

/// <summary>
/// A merge naming thousands of incidents must not hold the one incident writer (and so alert intake) while it reads
/// storage for each of them.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class HostileMergeTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task Merge_Of2500Ids_IsRefused_AndAlertIntakeIsNotHeld()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings);
        await TriggerAsync(host, "m1", "Checkout error rate 7%", "checkout");
        var listed = await ListUntilAsync(host, "", i => i.GetArrayLength() == 1);
        var id = listed[0].GetProperty("id").GetString()!;

        // Short ids keep the body under the 64 KiB triage body cap, as an attacker would.
        var sources = Enumerable.Range(0, 2_500).Select(n => new { id = n.ToString(System.Globalization.CultureInfo.InvariantCulture), version = 0 }).ToList();
        var merge = host.Api.PostAsJsonAsync(new Uri($"/api/incidents/{id}/merge", UriKind.Relative), new { version = 100, by = "mallory", incidents = sources });
        await Task.Delay(50);
        var clock = Stopwatch.StartNew();
        await TriggerAsync(host, "m2", "Payments latency p99 3 s", "payments");
        var intake = clock.Elapsed;

        using var answer = await merge;
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("at most 50", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(intake < TimeSpan.FromSeconds(2), $"an alert waited {intake.TotalMilliseconds:0} ms behind the merge");
    }

    [Fact]
    public async Task Merge_OfFiftyUnknownIds_IsAnsweredNotFound_WithOneReadNotFifty()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings);
        await TriggerAsync(host, "u1", "Search error rate 9%", "search");
        var listed = await ListUntilAsync(host, "", i => i.GetArrayLength() == 1);
        var id = listed[0].GetProperty("id").GetString()!;
        var version = listed[0].GetProperty("version").GetInt64();
        var before = await QueryCountAsync(host);

        var sources = Enumerable.Range(0, 50).Select(n => new { id = "inc-" + (1_000 + n), version = 0 }).ToList();
        var merge = await TriageAsync(host, id, "merge", new { version, by = "ana", incidents = sources });

        Assert.Equal(HttpStatusCode.NotFound, merge.Status);
        Assert.True(await QueryCountAsync(host) - before <= 20, "each named incident was read from ClickHouse on its own");
    }

    /// <summary>
    /// SELECTs the ClickHouse server has run so far (its <c>SelectQuery</c> profile event). Background work of the host
    /// (detection, the goal sweeper) adds a few; per-id reads of fifty incidents add fifty.
    /// </summary>
    private async Task<ulong> QueryCountAsync(TaskLensHost host)
    {
        using var client = clickHouse.CreateClient(host.Database);
        var rows = await client.QueryAsync("SELECT value FROM system.events WHERE event = 'SelectQuery'", row => row.GetUInt64("value"), CancellationToken.None);
        return rows.Single();
    }
}
