using System.Diagnostics;
using System.Net;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server.EmbeddedClickHouse;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.IntegrationTests.Ingest;

/// <summary>
/// Exporters that retry until acknowledged (as OTLP clients do) keep sending while TaskLens is killed with SIGKILL
/// and restarted, or while ClickHouse stops and restarts; afterwards ClickHouse holds every span exactly once.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class CrashRecoveryTests(ClickHouseFixture clickHouse)
{
    private const int Exports = 160;
    private const int SpansPerExport = 50;

    [Fact]
    public async Task KillDashNine_MidIngest_ThenRestart_EverySpanIsStoredOnce()
    {
        var database = await clickHouse.CreateDatabaseAsync();
        var work = Path.Combine(Path.GetTempPath(), "tasklens-crash-" + database);
        Directory.CreateDirectory(work);
        var ports = FreePorts.Take(3);
        var endpoint = new Uri($"http://127.0.0.1:{ports[2]}/v1/traces");
        var server = await StartServerAsync(clickHouse.Url, work, database, ports);
        try
        {
            var acknowledged = 0;
            var sending = SendAllAsync(endpoint, () => Interlocked.Increment(ref acknowledged));
            while (Volatile.Read(ref acknowledged) < Exports / 2)
            {
                await Task.Delay(5);
            }

            server.Kill(); // SIGKILL: no shutdown, no flush; only what the spool holds on disk survives.
            await server.WaitForExitAsync();
            server.Dispose();
            var ackedBeforeKill = Volatile.Read(ref acknowledged);
            server = await StartServerAsync(clickHouse.Url, work, database, ports);

            await sending;
            Assert.InRange(ackedBeforeKill, Exports / 2, Exports - 1);
            await AssertEverySpanOnceAsync(clickHouse.Url, database);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
            server.Dispose();
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task ClickHouseStoppedAndRestarted_MidIngest_EverySpanIsStoredOnce()
    {
        var directory = Path.Combine(Path.GetTempPath(), "tasklens-chdown-" + Guid.NewGuid().ToString("N")[..8]);
        var chPorts = FreePorts.Take(2);
        await using var server = new ClickHouseProcess(directory, chPorts[0], chPorts[1], "clickhouse-server");
        await server.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        try
        {
            await using var host = await TaskLensHost.StartAsync(server.Url, "default", new Dictionary<string, string?>
            {
                ["TaskLens:ClickHouse:MaxRetries"] = "0",
                ["TaskLens:Spool:MaxRetryDelay"] = "00:00:00.500",
                ["Logging:LogLevel:Default"] = "Critical",
            });
            var acknowledged = 0;
            var sending = SendAllAsync(host.HttpTracesEndpoint, () => Interlocked.Increment(ref acknowledged));
            while (Volatile.Read(ref acknowledged) < Exports / 4)
            {
                await Task.Delay(5);
            }

            await server.StopAsync();
            await Task.Delay(1000); // exports keep arriving and are spooled while ClickHouse is away
            await server.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);

            await sending;
            await host.WaitForStoredAsync(TimeSpan.FromSeconds(60));
            await AssertEverySpanOnceAsync(server.Url, "default");
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Four senders; each export is retried until TaskLens answers 200, whatever else happens.</summary>
    private static Task SendAllAsync(Uri endpoint, Action onAcknowledged) =>
        Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var e = worker; e < Exports; e += 4)
            {
                var export = Export(e);
                for (var attempt = 0; ; attempt++)
                {
                    Assert.True(attempt < 600, $"export {e} was never acknowledged");
                    try
                    {
                        using var response = await OtlpClient.PostHttpAsync(endpoint, export);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            onAcknowledged();
                            break;
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // TaskLens is down: retry, as an OTLP exporter would.
                    }

                    await Task.Delay(100);
                }
            }
        })));

    private static byte[] Export(int index) => Otlp.Request(
        "crash-test",
        [.. Enumerable.Range(0, SpansPerExport).Select(i => (Action<ProtoBuilder>)(s => s
            .BytesField(1, TraceIdOf(index))
            .BytesField(2, BitConverter.GetBytes((ulong)((index * SpansPerExport) + i + 1)))
            .StringField(5, "step")
            .Fixed64Field(7, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000)
            .Fixed64Field(8, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000)))]);

    private static byte[] TraceIdOf(int index) => [.. BitConverter.GetBytes((ulong)index + 1), .. BitConverter.GetBytes(0xC0FFEEUL)];

    private static async Task AssertEverySpanOnceAsync(string url, string database)
    {
        using var client = new TaskLens.Storage.ClickHouse.ClickHouseClient(
            new HttpClient(TaskLens.Storage.ClickHouse.ClickHouseClient.CreateHandler()),
            new TaskLens.Storage.ClickHouse.ClickHouseOptions { Url = url, Database = database },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<TaskLens.Storage.ClickHouse.ClickHouseClient>.Instance);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        (ulong Distinct, ulong Final) counts;
        do
        {
            // The restarted TaskLens replays its spool in the background; wait for it to catch up.
            counts = (await client.QueryAsync(
                "SELECT uniqExact(trace_id, span_id) AS distinct_spans, (SELECT count() FROM spans FINAL WHERE service_name = 'crash-test') AS final_rows FROM spans WHERE service_name = 'crash-test'",
                r => (r.GetUInt64("distinct_spans"), r.GetUInt64("final_rows")),
                CancellationToken.None)).Single();
            // Both figures must settle: the scalar subquery runs before the outer query, so one read can see fewer rows.
            if (counts.Distinct == Exports * SpansPerExport && counts.Final == Exports * SpansPerExport)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(((ulong)(Exports * SpansPerExport), (ulong)(Exports * SpansPerExport)), counts);
    }

    // Small segments, so the spool rolls often and the segment SIGKILL interrupts is one made ahead of need
    // (zero-filled, TaskLens:Spool:Preallocate): its records end in zeros, not at the file's end.
    private static Task<Process> StartServerAsync(string clickHouseUrl, string work, string database, int[] ports) =>
        TaskLensProcess.StartAsync(clickHouseUrl, work, database, ports, "--TaskLens:Spool:SegmentBytes=131072");
}
