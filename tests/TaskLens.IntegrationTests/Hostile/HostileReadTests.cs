using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.IntegrationTests.Hostile;

/// <summary>
/// Reads a caller can make as heavy as it likes: every window, limit and trace is capped, with a 400 that names the cap
/// or a page marked truncated, and ClickHouse runs reads read-only with its own time limit.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class HostileReadTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task FiftyClients_AskingForEverythingSince1970_AreRefused_AndOtherReadsStayQuick()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse);
        string[] paths = ["/api/logs?from=0&limit=100000", "/api/metrics/cpu/points?from=0&limit=100000", "/api/metrics/cpu/points?from=0", "/api/goals?from=0"];
        using var clients = new HttpClient { BaseAddress = host.Api.BaseAddress };
        (await host.Api.GetAsync(new Uri("/api/incidents", UriKind.Relative))).Dispose();

        var hostile = Enumerable.Range(0, 50).Select(async i =>
        {
            using var response = await clients.GetAsync(new Uri(paths[i % paths.Length], UriKind.Relative));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }).ToList();
        var clock = Stopwatch.StartNew();
        using (var unrelated = await host.Api.GetAsync(new Uri("/api/incidents", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, unrelated.StatusCode);
        }

        var elapsed = clock.Elapsed;
        var answers = await Task.WhenAll(hostile);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode));
        Assert.Contains(answers, a => a.Body.Contains("7 days", StringComparison.Ordinal) && a.Body.Contains("MaxReadWindow", StringComparison.Ordinal));
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"an unrelated read took {elapsed.TotalMilliseconds:0} ms");

        using var limit = await host.Api.GetAsync(new Uri("/api/metrics/cpu/points?limit=100000", UriKind.Relative));
        Assert.Contains("1 to 10000", await limit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var logs = await host.Api.GetAsync(new Uri("/api/logs?limit=1001", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, logs.StatusCode);
    }

    [Fact]
    public async Task MaxReadWindow_IsConfigurable()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?> { ["TaskLens:Server:MaxReadWindow"] = "02:00:00" });
        var now = DateTimeOffset.UtcNow;

        using var wide = await host.Api.GetAsync(new Uri($"/api/logs?from={now.AddHours(-3).ToUnixTimeMilliseconds()}", UriKind.Relative));
        using var narrow = await host.Api.GetAsync(new Uri($"/api/logs?from={now.AddMinutes(-119).ToUnixTimeMilliseconds()}", UriKind.Relative));

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.OK), (wide.StatusCode, narrow.StatusCode));
        Assert.Contains("2 hours", await wide.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_LargerThanAPage_IsAnsweredInTruncatedPages_ThatTogetherHoldEverySpan()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse);
        const string traceId = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
        var spans = string.Join(",", Enumerable.Range(1, 25).Select(i => string.Create(CultureInfo.InvariantCulture,
            $$$"""{"traceId":"{{{traceId}}}","spanId":"{{{i:x16}}}","name":"step {{{i}}}","startTimeUnixNano":"{{{1_700_000_000_000_000_000L + i}}}","endTimeUnixNano":"{{{1_700_000_000_000_000_100L + i}}}"}""")));
        var body = $$$"""{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"pager"}}]},"scopeSpans":[{"spans":[{{{spans}}}]}]}]}""";
        using (var export = await host.Api.PostAsync(host.HttpTracesEndpoint, new StringContent(body, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        }

        await host.WaitForStoredAsync();
        var seen = new List<string>();
        var offset = 0;
        var truncated = new List<bool>();
        while (true)
        {
            using var page = JsonDocument.Parse(await host.Api.GetStringAsync(new Uri($"/api/traces/{traceId}?limit=10&offset={offset}", UriKind.Relative)));
            var root = page.RootElement;
            seen.AddRange(root.GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("spanId").GetString()!));
            truncated.Add(root.GetProperty("truncated").GetBoolean());
            if (!truncated[^1])
            {
                break;
            }

            offset = root.GetProperty("nextOffset").GetInt32();
        }

        Assert.Equal([true, true, false], truncated);
        Assert.Equal(25, seen.Distinct().Count());
        Assert.Equal(25, seen.Count);
        using var tooMany = await host.Api.GetAsync(new Uri($"/api/traces/{traceId}?limit=10001", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Fact]
    public async Task Reads_RunReadOnly_WithClickHousesOwnTimeLimit()
    {
        var database = await clickHouse.CreateDatabaseAsync();
        using var client = new ClickHouseClient(
            new HttpClient(ClickHouseClient.CreateHandler()),
            new ClickHouseOptions { Url = clickHouse.Url, Database = database, RequestTimeout = TimeSpan.FromSeconds(3), MaxRetries = 4, RetryBaseDelay = TimeSpan.FromMilliseconds(100) },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ClickHouseClient>.Instance);

        var settings = await client.QueryAsync(
            "SELECT name, value FROM system.settings WHERE name IN ('readonly', 'max_execution_time') ORDER BY name",
            row => row.GetString("name") + "=" + row.GetString("value"),
            CancellationToken.None);
        Assert.Equal(["max_execution_time=2", "readonly=1"], settings);

        // A read ClickHouse stops at its time limit is answered as such, once, not tried again four times.
        var clock = Stopwatch.StartNew();
        var heavy = await Assert.ThrowsAsync<ClickHouseException>(() =>
            client.QueryAsync("SELECT count() AS n FROM system.numbers WHERE sipHash64(number) = 0", r => r.GetUInt64("n"), CancellationToken.None));
        Assert.Equal(159, heavy.Code); // TIMEOUT_EXCEEDED
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"the read was tried again: {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
