using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server.EmbeddedClickHouse;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.IntegrationTests.Storage;

/// <summary>Servers of their own, because these tests stop and kill them.</summary>
public sealed class ClickHouseRestartTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-restart-" + Guid.NewGuid().ToString("N")[..8]);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Insert_WhileServerRestarts_SucceedsWithinRetryBudget()
    {
        var ports = FreePorts.Take(2);
        await using var server = new ClickHouseProcess(_directory, ports[0], ports[1], "clickhouse-server");
        await server.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        using var client = new ClickHouseClient(
            new HttpClient(ClickHouseClient.CreateHandler()),
            new ClickHouseOptions { Url = server.Url, Database = "default", MaxRetries = 8, RetryBaseDelay = TimeSpan.FromMilliseconds(250) },
            NullLogger<ClickHouseClient>.Instance);
        await client.ExecuteAsync("CREATE TABLE r (x UInt64) ENGINE = MergeTree ORDER BY x", CancellationToken.None);
        await server.StopAsync();

        // The insert starts against a stopped server and must get through once the server is back.
        using var rows = new RowBinaryWriter();
        rows.WriteUInt64(42);
        var insert = client.InsertRowBinaryAsync("r", ["x"], (s, ct) => rows.CopyToAsync(s, ct), CancellationToken.None);
        await server.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        await insert;

        var values = await client.QueryAsync("SELECT x FROM r", r => r.GetUInt64("x"), CancellationToken.None);
        Assert.Equal([42UL], values);
    }

    [Fact]
    public async Task EmbeddedService_ServerKilled_IsRestarted()
    {
        var ports = FreePorts.Take(2);
        var options = new ClickHouseOptions { EmbeddedDataPath = _directory, EmbeddedHttpPort = ports[0], EmbeddedTcpPort = ports[1] };
        await using var service = new EmbeddedClickHouseService(Microsoft.Extensions.Options.Options.Create(options), NullLogger<EmbeddedClickHouseService>.Instance);
        await service.StartAsync(CancellationToken.None);
        var firstPid = service.Process!.ProcessId;

        service.Process.KillHard();

        using var client = new ClickHouseClient(
            new HttpClient(ClickHouseClient.CreateHandler()),
            new ClickHouseOptions { Url = $"http://127.0.0.1:{ports[0]}", Database = "default" },
            NullLogger<ClickHouseClient>.Instance);
        for (var i = 0; i < 600 && (service.Restarts == 0 || !await client.PingAsync(CancellationToken.None)); i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(1, service.Restarts);
        Assert.NotEqual(firstPid, service.Process!.ProcessId);
        Assert.True(await client.PingAsync(CancellationToken.None));

        await service.StopAsync(CancellationToken.None);
        Assert.Null(service.Process);
        Assert.False(await client.PingAsync(CancellationToken.None));
    }
}
