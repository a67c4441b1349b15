using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TaskLens.Benchmarks.Load;
using TaskLens.Core.Goals;
using TaskLens.Ingest.Spool;
using ServerProgram = TaskLens.Server.Program;

namespace TaskLens.Benchmarks.Briefs;

/// <summary>
/// The real TaskLens application in this process, on loopback ports, with its embedded ClickHouse in a work directory:
/// one tenant per scenario, each with an ingest key and an alert token of its own, so scenarios share nothing but the
/// process. TaskLens's own detection is off: the scenarios' alerts come from their monitoring, through the webhook.
/// </summary>
internal sealed class ScenarioHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _work;

    private ScenarioHost(WebApplication app, string work, int[] ports, IReadOnlyDictionary<string, (string IngestKey, string AlertToken)> tenants, ShiftedClock clock)
    {
        Clock = clock;
        _app = app;
        _work = work;
        OtlpTraces = new Uri($"http://127.0.0.1:{ports[2]}/v1/traces");
        AlertmanagerWebhook = new Uri($"http://127.0.0.1:{ports[0]}/api/alerts/alertmanager");
        Tenants = tenants;
    }

    public Uri OtlpTraces { get; }
    public Uri AlertmanagerWebhook { get; }
    public IReadOnlyDictionary<string, (string IngestKey, string AlertToken)> Tenants { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>TaskLens's clock (every part of it reads time from it).</summary>
    public ShiftedClock Clock { get; }

    public static async Task<ScenarioHost> StartAsync(IReadOnlyList<string> tenants)
    {
        var work = Path.Combine(Path.GetTempPath(), "tasklens-briefs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var ports = LoadBenchmark.FreePorts(5);
        string Port(int i) => ports[i].ToString(CultureInfo.InvariantCulture);
        var config = new Dictionary<string, string?>
        {
            ["TaskLens:Server:ListenAddress"] = "127.0.0.1",
            ["TaskLens:Server:ApiPort"] = Port(0),
            ["TaskLens:Server:OtlpGrpcPort"] = Port(1),
            ["TaskLens:Server:OtlpHttpPort"] = Port(2),
            ["TaskLens:ClickHouse:EmbeddedHttpPort"] = Port(3),
            ["TaskLens:ClickHouse:EmbeddedTcpPort"] = Port(4),
            ["TaskLens:ClickHouse:EmbeddedDataPath"] = Path.Combine(work, "clickhouse"),
            ["TaskLens:Spool:Path"] = Path.Combine(work, "spool"),
            ["TaskLens:State:Path"] = Path.Combine(work, "state.db"),
            ["TaskLens:Detection:Enabled"] = "false",
            ["TaskLens:Goals:QuietPeriod"] = "00:00:01",

            // An hour of every scenario arrives within a minute: room for all of its runs at once.
            ["TaskLens:Goals:MaxRunsInMemory"] = "200000",
            ["TaskLens:Goals:MaxSpansInMemory"] = "5000000",
            ["TaskLens:Briefs:Debounce"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var keys = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        for (var i = 0; i < tenants.Count; i++)
        {
            var (key, token) = (Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
            keys[tenants[i]] = (key, token);
            config[$"TaskLens:Ingest:ApiKeys:{i}:Key"] = key;
            config[$"TaskLens:Ingest:ApiKeys:{i}:Tenant"] = tenants[i];
            config[$"TaskLens:Alerts:Tokens:{i}:Token"] = token;
            config[$"TaskLens:Alerts:Tokens:{i}:Tenant"] = tenants[i];
        }

        var clock = new ShiftedClock();
        var app = ServerProgram.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.Services.AddSingleton<TimeProvider>(clock);
        });
        await app.StartAsync();
        return new ScenarioHost(app, work, ports, keys, clock);
    }

    /// <summary>
    /// Waits until every acknowledged export has left the spool for ClickHouse and the goal rollup has finalized what
    /// it was holding (no run finalized for three sweeps in a row).
    /// </summary>
    public async Task WaitForStoredAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var drainer = Services.GetService<SpoolDrainer>();
        while (drainer is not null && !drainer.IsCaughtUp)
        {
            Deadline(deadline, "the spool did not drain into ClickHouse");
            await Task.Delay(50);
        }

        var rollup = Services.GetRequiredService<GoalRollup>();
        var (finalized, quiet) = (-1L, 0);
        while (quiet < 3)
        {
            Deadline(deadline, "the goal rollup did not settle");
            await Task.Delay(1000);
            var now = rollup.Stats.RunsFinalized;
            quiet = now == finalized ? quiet + 1 : 0;
            finalized = now;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // ClickHouse may still be closing a file; the directory is in the temporary directory.
        }
    }

    private static void Deadline(DateTime deadline, string what)
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException(what + " in time.");
        }
    }
}
