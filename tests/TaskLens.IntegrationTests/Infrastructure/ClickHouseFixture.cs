using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Server.EmbeddedClickHouse;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.IntegrationTests.Infrastructure;

/// <summary>
/// One real clickhouse-server for the whole test run, started from the same code as TaskLens's embedded mode, in
/// a temporary directory on free loopback ports. Each test class takes a database of its own.
/// </summary>
public sealed class ClickHouseFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-it-" + Guid.NewGuid().ToString("N")[..8]);
    private ClickHouseProcess? _process;

    public string Url => _process?.Url ?? throw new InvalidOperationException("ClickHouse is not started.");

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        _process = new ClickHouseProcess(_directory, ports[0], ports[1], "clickhouse-server");
        await _process.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; never fail a test run over it.
        }
    }

    /// <summary>A new, empty database; its name is unique within the run.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..12];
        using var client = CreateClient(name);
        await client.ExecuteAsync($"CREATE DATABASE {name}", CancellationToken.None, useDatabase: false);
        return name;
    }

    public ClickHouseClient CreateClient(string database, int maxRetries = 0) =>
        new(
            new HttpClient(ClickHouseClient.CreateHandler()),
            new ClickHouseOptions { Url = Url, Database = database, MaxRetries = maxRetries, RetryBaseDelay = TimeSpan.FromMilliseconds(100) },
            NullLogger<ClickHouseClient>.Instance);
}

[CollectionDefinition(Name)]
public sealed class ClickHouseCollection : ICollectionFixture<ClickHouseFixture>
{
    public const string Name = "clickhouse";
}
