using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TaskLens.Ingest;
using TaskLens.Ingest.Spool;
using TaskLens.Server;

namespace TaskLens.IntegrationTests.Infrastructure;

/// <summary>
/// The real TaskLens <c>Program</c> on real Kestrel ports, pointed at the test run's ClickHouse with a database
/// of its own, so tests talk to it with real OTLP clients over gRPC and HTTP.
/// </summary>
internal sealed class TaskLensHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TaskLensHost(WebApplication app, int apiPort, int grpcPort, int httpPort, string database)
    {
        _app = app;
        ApiPort = apiPort;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        Database = database;
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}") };
    }

    public int ApiPort { get; }
    public int GrpcPort { get; }
    public int HttpPort { get; }
    public string Database { get; }
    public HttpClient Api { get; }

    /// <summary>The application's services, for tests that drive a component directly (e.g. the detection runner).</summary>
    public IServiceProvider Services => _app.Services;

    public Uri GrpcEndpoint => new($"http://127.0.0.1:{GrpcPort}");
    public Uri HttpTracesEndpoint => new($"http://127.0.0.1:{HttpPort}/v1/traces");
    public Uri HttpLogsEndpoint => new($"http://127.0.0.1:{HttpPort}/v1/logs");
    public Uri HttpMetricsEndpoint => new($"http://127.0.0.1:{HttpPort}/v1/metrics");

    /// <summary>The setting that picks the server answering OTLP/gRPC: the gRPC tests run over both.</summary>
    public static Dictionary<string, string?> GrpcSettings(GrpcServerKind kind) => new() { ["TaskLens:Ingest:GrpcServer"] = kind.ToString() };

    public static async Task<TaskLensHost> StartAsync(
        ClickHouseFixture clickHouse, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) =>
        await StartAsync(clickHouse.Url, await clickHouse.CreateDatabaseAsync(), settings, services);

    /// <summary>TaskLens over any ClickHouse, e.g. one a test stops and starts itself.</summary>
    /// <param name="services">Extra registrations, e.g. a subscriber to the incident domain events.</param>
    public static async Task<TaskLensHost> StartAsync(
        string clickHouseUrl, string database, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var ports = FreePorts.Take(3);
        var config = new Dictionary<string, string?>
        {
            ["TaskLens:ClickHouse:Url"] = clickHouseUrl,
            ["TaskLens:ClickHouse:Database"] = database,
            ["TaskLens:ClickHouse:FlushInterval"] = "00:00:00.050",
            ["TaskLens:ClickHouse:FlushLinger"] = "00:00:00.010",
            ["TaskLens:Ingest:OpenMode"] = "true",

            // Tests write data of any age; the retention tests run the job themselves.
            ["TaskLens:ClickHouse:Retention:Enabled"] = "false",
            ["TaskLens:Spool:Path"] = Path.Combine(Path.GetTempPath(), "tasklens-spool-" + database),
            ["TaskLens:State:Path"] = Path.Combine(Path.GetTempPath(), "tasklens-state-" + database, "state.db"),
            ["TaskLens:Server:ListenAddress"] = "127.0.0.1",
            ["TaskLens:Server:ApiPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["TaskLens:Server:OtlpGrpcPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["TaskLens:Server:OtlpHttpPort"] = ports[2].ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",

            // Briefs are written in the background after a change and add a timeline entry; tests that count timeline
            // entries would race them. Brief tests set their own debounce.
            ["TaskLens:Briefs:Debounce"] = "00:10:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var app = Program.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        return new TaskLensHost(app, ports[0], ports[1], ports[2], database);
    }

    /// <summary>
    /// Waits until everything acknowledged so far has left the spool for ClickHouse: an acknowledgement means
    /// durable in the spool, so reads right after an export go through this first.
    /// </summary>
    public async Task WaitForStoredAsync(TimeSpan? timeout = null)
    {
        var drainer = _app.Services.GetService<SpoolDrainer>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (drainer is not null && !drainer.IsCaughtUp)
        {
            Assert.True(DateTime.UtcNow < deadline, "the spool did not drain into ClickHouse in time");
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Polls an API path until <paramref name="done"/> holds (goal runs are final one quiet period after their last
    /// span; alerts and incidents are stored as they are taken); an error answer is waited out too (a run is 404 until
    /// first finalized). Fails after 30 s with the last answer.
    /// </summary>
    public async Task<JsonDocument> GetUntilAsync(string path, Func<JsonDocument, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await Api.GetAsync(new Uri(path, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                var document = JsonDocument.Parse(body);
                if (done(document))
                {
                    return document;
                }

                document.Dispose();
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} did not reach the expected state in 30 s: {(int)response.StatusCode} {body}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
