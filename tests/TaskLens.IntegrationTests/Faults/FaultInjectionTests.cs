using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server.EmbeddedClickHouse;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.IntegrationTests.Faults;

/// <summary>
/// Faults injected into the real server and a real ClickHouse (issue 14): a disk that fills up, a spool directory that
/// turns read-only, ClickHouse killed with SIGKILL, a batch ClickHouse will never take. In each case exports are
/// either acknowledged or refused with a retry hint — never left waiting — the service keeps answering, and every
/// acknowledged span is in ClickHouse exactly once afterwards.
/// </summary>
public sealed class FaultInjectionTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-faults-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Mounts _mounts = new();
    private ClickHouseProcess _clickHouse = null!;

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        _clickHouse = new ClickHouseProcess(Path.Combine(_directory, "clickhouse"), ports[0], ports[1], "clickhouse-server");
        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _mounts.Dispose();
        await _clickHouse.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task DiskFull_ExportsArePushedBack_TheHostKeepsRunning_AndResumesWhenSpaceReturns()
    {
        var disk = _mounts.Tmpfs(1024 * 1024);
        await using var host = await StartHostAsync("diskfull", Path.Combine(disk, "spool"));
        var spans = new AcknowledgedSpans("disk-full");
        await _clickHouse.StopAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await spans.SendAsync(host.HttpTracesEndpoint, spans.Next()));
        }

        // The segment being written, and the next one, may have been made ahead (zero-filled, TaskLens:Spool:Preallocate):
        // exports still fit in their space, and are acknowledged, until it runs out; then the full disk refuses them.
        var filler = Fill(Path.Combine(disk, "filler"));
        var refused = spans.Next();
        for (var fitted = 0; await spans.SendAsync(host.HttpTracesEndpoint, refused) == HttpStatusCode.OK; fitted++)
        {
            Assert.True(fitted < 64, "the full disk never refused an export");
            refused = spans.Next();
        }

        using (var condition = await SpoolConditionAsync(host))
        {
            Assert.Equal(JsonValueKind.Object, condition.RootElement.GetProperty("writesRefused").ValueKind);
        }

        // ClickHouse returns: the drainer stores what was acknowledged, though its checkpoint cannot be written.
        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        await host.WaitForStoredAsync(TimeSpan.FromSeconds(60));
        AssertStillRunning(host);
        Assert.Equal("ok", await host.Api.GetStringAsync(new Uri("/healthz", UriKind.Relative)));

        File.Delete(filler);
        await spans.SendUntilAcknowledgedAsync(host.HttpTracesEndpoint, refused);
        for (var i = 0; i < 5; i++)
        {
            await spans.SendUntilAcknowledgedAsync(host.HttpTracesEndpoint, spans.Next());
        }

        await host.WaitForStoredAsync(TimeSpan.FromSeconds(60));
        await spans.AssertEachStoredOnceAsync(_clickHouse.Url, host.Database);
        using var healed = await SpoolConditionAsync(host, c => c.RootElement.GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task ReadOnlySpoolDirectory_NewSegmentsAreRefused_NotWaitedFor_AndWritesResumeWhenWritable()
    {
        var spool = Path.Combine(_directory, "ro-spool");
        Directory.CreateDirectory(spool);
        await using var host = await StartHostAsync("readonly", spool);
        var spans = new AcknowledgedSpans("read-only");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await spans.SendAsync(host.HttpTracesEndpoint, spans.Next(padding: 1000)));
        }

        await host.WaitForStoredAsync();
        _mounts.ReadOnly(spool);

        // The open segment still takes writes; the next one cannot be created. Each answer comes (a 15 s timeout
        // fails the test): 503 with Retry-After once the segment is full, never a request left waiting.
        var pending = new List<AcknowledgedSpans.Export>();
        for (var i = 0; i < 8; i++)
        {
            var export = spans.Next(padding: 1000);
            if (await spans.SendAsync(host.HttpTracesEndpoint, export) != HttpStatusCode.OK)
            {
                pending.Add(export);
            }
        }

        Assert.NotEmpty(pending);
        Assert.Equal("ok", await host.Api.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        using (var condition = await SpoolConditionAsync(host))
        {
            Assert.Equal(JsonValueKind.Object, condition.RootElement.GetProperty("writesRefused").ValueKind);
        }

        _mounts.Unmount(spool);
        foreach (var export in pending)
        {
            await spans.SendUntilAcknowledgedAsync(host.HttpTracesEndpoint, export);
        }

        await host.WaitForStoredAsync(TimeSpan.FromSeconds(60));
        AssertStillRunning(host);
        await spans.AssertEachStoredOnceAsync(_clickHouse.Url, host.Database);
        using var healed = await SpoolConditionAsync(host, c => c.RootElement.GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task ClickHouseKilled_MidIngest_AndRestarted_EveryAcknowledgedSpanIsStoredOnce()
    {
        await using var host = await StartHostAsync("killed", Path.Combine(_directory, "killed-spool"));
        var spans = new AcknowledgedSpans("ch-killed");
        var sending = Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                await spans.SendUntilAcknowledgedAsync(host.HttpTracesEndpoint, spans.Next());
            }
        })));
        while (spans.Count < 400)
        {
            await Task.Delay(5);
        }

        _clickHouse.KillHard(); // SIGKILL: no flush, no clean stop
        await _clickHouse.WaitForExitAsync(CancellationToken.None);
        await Task.Delay(1000); // exports keep arriving and are acknowledged from the spool meanwhile
        Assert.Equal("ok", await host.Api.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);

        await sending;
        await host.WaitForStoredAsync(TimeSpan.FromSeconds(60));
        await spans.AssertEachStoredOnceAsync(_clickHouse.Url, host.Database);
    }

    [Fact]
    public async Task PoisonBatch_IsSetAsideWithTheServersError_AndDrainingGoesOn()
    {
        await using var host = await StartHostAsync("poison", Path.Combine(_directory, "poison-spool"));

        // A check an operator added in ClickHouse refuses the rows of one service, whenever they are sent. (18.16 has no
        // constraints and no partition limit per insert; a materialized view with throwIf is its way to refuse rows.)
        using (var client = Client(host.Database))
        {
            await client.ExecuteAsync("CREATE TABLE poison_guard_sink (refused UInt8) ENGINE = Null", CancellationToken.None);
            await client.ExecuteAsync(
                "CREATE MATERIALIZED VIEW poison_guard TO poison_guard_sink AS SELECT throwIf(service_name = 'poison') AS refused FROM spans",
                CancellationToken.None);
        }

        var spans = new AcknowledgedSpans("poison-neighbour");
        var poison = new AcknowledgedSpans("poison");
        Assert.Equal(HttpStatusCode.OK, await spans.SendAsync(host.HttpTracesEndpoint, spans.Next()));
        Assert.Equal(HttpStatusCode.OK, await poison.SendAsync(host.HttpTracesEndpoint, poison.Next())); // valid OTLP: acknowledged
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await spans.SendAsync(host.HttpTracesEndpoint, spans.Next()));
        }

        await host.WaitForStoredAsync(TimeSpan.FromSeconds(60));
        await spans.AssertEachStoredOnceAsync(_clickHouse.Url, host.Database);
        using var letters = await host.GetUntilAsync("/api/ingest/dead-letters", d => d.RootElement.GetProperty("total").GetInt32() == 1);
        var letter = letters.RootElement.GetProperty("deadLetters")[0];
        Assert.Equal("rejected", letter.GetProperty("kind").GetString());
        Assert.Equal("traces", letter.GetProperty("signal").GetString());
        Assert.Equal("poison", letter.GetProperty("service").GetString());
        Assert.Contains("throwIf", letter.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Afterwards the service takes exports as before.
        Assert.Equal(HttpStatusCode.OK, await spans.SendAsync(host.HttpTracesEndpoint, spans.Next()));
        await host.WaitForStoredAsync();
        await spans.AssertEachStoredOnceAsync(_clickHouse.Url, host.Database);
        using (var condition = await SpoolConditionAsync(host))
        {
            Assert.Equal(1, condition.RootElement.GetProperty("deadLetters").GetInt32());
            Assert.True(condition.RootElement.GetProperty("healthy").GetBoolean());
        }

        // Once the check is gone, the operator replays the dead letter and its spans are stored.
        using (var client = Client(host.Database))
        {
            await client.ExecuteAsync("DROP TABLE poison_guard", CancellationToken.None);
        }

        using (var replay = await host.Api.PostAsync(new Uri($"/api/ingest/dead-letters/{letter.GetProperty("id").GetString()}/replay", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        }

        await host.WaitForStoredAsync();
        await poison.AssertEachStoredOnceAsync(_clickHouse.Url, host.Database);
        using var emptied = await host.GetUntilAsync("/api/ingest/dead-letters", d => d.RootElement.GetProperty("total").GetInt32() == 0);
    }

    private Task<TaskLensHost> StartHostAsync(string database, string spool) =>
        TaskLensHost.StartAsync(_clickHouse.Url, database, new Dictionary<string, string?>
        {
            ["TaskLens:ClickHouse:MaxRetries"] = "0",
            ["TaskLens:Spool:Path"] = spool,
            ["TaskLens:Spool:SegmentBytes"] = "65536",
            ["TaskLens:Spool:MaxRetryDelay"] = "00:00:00.500",
            ["Logging:LogLevel:Default"] = "Critical",
        });

    private ClickHouseClient Client(string database) =>
        new(new HttpClient(ClickHouseClient.CreateHandler()), new ClickHouseOptions { Url = _clickHouse.Url, Database = database }, NullLogger<ClickHouseClient>.Instance);

    private static void AssertStillRunning(TaskLensHost host) =>
        Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested, "the host is stopping");

    private static Task<JsonDocument> SpoolConditionAsync(TaskLensHost host, Func<JsonDocument, bool>? done = null) =>
        host.GetUntilAsync("/api/ingest/spool", done ?? (_ => true));

    /// <summary>Writes a file until the disk is full; returns its path.</summary>
    private static string Fill(string path)
    {
        var block = new byte[4096];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                file.Write(block);
            }
        }
        catch (IOException)
        {
            // No space left: the disk is full.
        }

        return path;
    }
}
