using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Ingest.Spool;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Whole-system ingest on loopback, bounded in time (a few minutes, never unbounded load): the built TaskLens server
/// with its embedded ClickHouse takes SDK-shaped exports (<see cref="SdkTraffic"/>) and, as a second scenario, 5,000-span
/// agent exports; then the same rows go straight into ClickHouse (<see cref="FairCeiling"/>); then acknowledgement
/// latency idle and under background load; then overload. Every figure and sentence of the report comes from this run.
/// </summary>
internal static class LoadBenchmark
{
    public const int Connections = 8;
    public const int ExportsPerRound = 100;
    public const int WarmUpRounds = 6;
    public const int MeasuredRounds = 40;
    public const int AgentExports = 60;
    public const int LatencySamples = 200;
    public const double BackgroundShare = 0.5;
    public const int OverloadClients = 96;
    public const long MaxBytesInFlight = 64L * 1024 * 1024;
    public const long MaxRequestBytes = 16L * 1024 * 1024;
    public const long SpoolCapBytes = 256L * 1024 * 1024;

    /// <summary>The drainer's concurrent inserts (<c>TaskLens:Spool:DrainConcurrency</c>); the ceiling uses as many.</summary>
    public static int DrainInserts => new SpoolOptions().DrainConcurrency;

    /// <summary>
    /// Probes under load add this share of the measured end-to-end rate, one every 250 ms to 1 s (so the phase stays
    /// bounded on a slow machine; the report gives the share they really added).
    /// </summary>
    public const double ProbeShare = 0.2;
    public static readonly TimeSpan MinProbeInterval = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan MaxProbeInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan OverloadDuration = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MergeWait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RunsWait = TimeSpan.FromSeconds(90);

    /// <summary>
    /// A client of the server's embedded ClickHouse (started in <paramref name="work"/> on <paramref name="httpPort"/>),
    /// with the password the server keeps in its data directory: the embedded server has no passwordless user.
    /// </summary>
    public static ClickHouseClient EmbeddedClickHouse(string work, int httpPort, TimeSpan timeout) =>
        new(
            new HttpClient(ClickHouseClient.CreateHandler()) { Timeout = timeout },
            new ClickHouseOptions
            {
                Url = $"http://127.0.0.1:{httpPort}",
                Database = "tasklens",
                Password = File.ReadAllText(Path.Combine(work, ".tasklens", "clickhouse", "password")),
                RequestTimeout = timeout,
            },
            NullLogger<ClickHouseClient>.Instance);

    /// <summary>The drainer's bounds of one insert (exports, and their bytes as received), so the ceiling inserts the same batches.</summary>
    public static (int Exports, long Bytes) DrainBatch => (new SpoolOptions().DrainMaxItems, new SpoolOptions().DrainMaxBytes);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static async Task<int> RunAsync(string serverDll, string outputDirectory)
    {
        var work = Path.Combine(Path.GetTempPath(), "tasklens-load-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var ports = FreePorts(5);
        using var server = StartServer(serverDll, work, ports, SpoolCapBytes,
            $"--TaskLens:Ingest:MaxBytesInFlight={MaxBytesInFlight}", $"--TaskLens:Ingest:MaxRequestBytes={MaxRequestBytes}");
        var total = Stopwatch.StartNew();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            await WaitHealthyAsync(http, ports[0], server);
            using var clickHouse = EmbeddedClickHouse(work, ports[3], TimeSpan.FromMinutes(5));
            var meter = new ProcessMeter(server);
            var store = new StoreProbe(clickHouse);
            var endpoint = new Uri($"http://127.0.0.1:{ports[2]}/v1/traces");
            var sdk = new SdkTraffic(ExportsPerRound, seed: 20, startUnixNanos: (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000) * 1_000_000);
            var agents = new AgentTraffic();
            using var sender = new OtlpSender(endpoint, Connections);

            var warmUp = await WarmUpAsync(http, ports[0], clickHouse, meter, store, sender, sdk, WarmUpRounds);
            Progress(total, warmUp.Describe(MeasuredRounds * ExportsPerRound * SdkTraffic.SpansPerExport));
            long sdkNext = WarmUpRounds * ExportsPerRound, agentNext = 0, runsExpected = WarmUpRounds * sdk.TracesPerRound;
            meter.ResetPeakRss();
            var measuredFirst = sdkNext;
            // Read before the phase's CPU is and after it was, so the two scrapes are not in its window.
            var runtimeBefore = await RuntimeCounters.ScrapeAsync(http, ports[0]);
            var sdkPhase = await PhaseAsync(meter, store, sender, sdk.Create, sdkNext, MeasuredRounds * ExportsPerRound, SdkTraffic.SpansPerExport, runsExpected += MeasuredRounds * sdk.TracesPerRound, waitForRuns: true);
            var sdkRuntime = (await RuntimeCounters.ScrapeAsync(http, ports[0])).Since(runtimeBefore, sdkPhase.Spans);
            sdkNext += MeasuredRounds * ExportsPerRound;
            var agentPhase = await PhaseAsync(meter, store, sender, agents.Create, agentNext, AgentExports, AgentTraffic.SpansPerExport, runsExpected += AgentExports, waitForRuns: true);
            agentNext += AgentExports;
            var goalRollup = await GoalRollupCounters.ReadAsync(http, ports[0]);

            Progress(total, $"SDK-shaped {sdkPhase.SpansPerSecond:N0} spans/s, agent {agentPhase.SpansPerSecond:N0} spans/s; measuring the ceiling");
            var ceilingExports = Enumerable.Range(0, MeasuredRounds * ExportsPerRound).Select(i => sdk.Create(measuredFirst + i));
            // The ceiling's tables first hold what spans held when the SDK-shaped phase began: the warm-up's rows.
            var ceilingHeld = Enumerable.Range(0, (int)measuredFirst).Select(i => sdk.Create(i));
            var ceiling = await FairCeiling.MeasureAsync(clickHouse, ceilingExports, ceilingHeld, DrainBatch.Exports, DrainBatch.Bytes, DrainInserts, "tasklens", MergeWait,
                () => meter.Cpu().ClickHouse);

            Progress(total, $"ceiling {ceiling.RowsPerSecond:N0} rows/s; acknowledgement latency");
            await WaitForMergesAsync(clickHouse, MergeWait);
            // The server's stage histograms around each latency phase say which stage held the probes' acknowledgement.
            var beforeIdle = await StageHistograms.ScrapeAsync(http, ports[0]);
            var idle = await AckLatency.IdleAsync(sender, agents, agentNext, LatencySamples, n => store.WaitForMoreAsync(n));
            agentNext += LatencySamples;
            using var probe = new OtlpSender(endpoint, 1);
            var backgroundRate = BackgroundShare * sdkPhase.SpansPerSecond;
            var probeInterval = TimeSpan.FromSeconds(Math.Clamp(
                AgentTraffic.SpansPerExport / (ProbeShare * sdkPhase.SpansPerSecond), MinProbeInterval.TotalSeconds, MaxProbeInterval.TotalSeconds));
            var beforeLoaded = await StageHistograms.ScrapeAsync(http, ports[0]);
            var loaded = await AckLatency.UnderLoadAsync(probe, sender, agents, agentNext, sdk, sdkNext, backgroundRate, LatencySamples, probeInterval);
            var afterLoaded = await StageHistograms.ScrapeAsync(http, ports[0]);
            agentNext += LatencySamples;
            sdkNext += loaded.BackgroundSpansSent / SdkTraffic.SpansPerExport;
            await store.WaitForMoreAsync((ulong)(loaded.BackgroundSpansSent + (LatencySamples * AgentTraffic.SpansPerExport)));
            var steadyPeakRss = meter.PeakRssMiB();

            // Overload: everything before it is stored; its spans are told apart by their drain time (whole seconds).
            await Task.Delay(TimeSpan.FromSeconds(1.1));
            var overloadFrom = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            await Task.Delay(TimeSpan.FromSeconds(1.1));
            meter.ResetPeakRss();
            Progress(total, $"ack p99 idle {idle.AckP99:N0} ms, loaded {loaded.AckP99:N0} ms; overload");
            using var overloadSender = new OtlpSender(endpoint, OverloadClients);
            var overload = await OverloadPhase.RunAsync(overloadSender, sdk, sdkNext, OverloadClients, OverloadDuration);
            var drain = Stopwatch.StartNew();
            store.Expect((ulong)overload.SpansAcknowledged);
            await store.WaitForMoreAsync(0, TimeSpan.FromMinutes(3));
            var drainSeconds = drain.Elapsed.TotalSeconds;
            var overloadPeakRss = meter.PeakRssMiB();
            var overloadStored = await store.WaitForDistinctAsync($"ingested_at >= toDateTime({overloadFrom})", (ulong)overload.SpansAcknowledged, TimeSpan.FromMinutes(1));

            var acknowledged = (ulong)(warmUp.Traffic.Spans + sdkPhase.Spans + agentPhase.Spans) + (ulong)(2 * LatencySamples * AgentTraffic.SpansPerExport)
                + (ulong)loaded.BackgroundSpansSent + (ulong)overload.SpansAcknowledged;
            var storedAll = await store.WaitForDistinctAsync("1", acknowledged, TimeSpan.FromMinutes(1));
            var version = (await clickHouse.GetServerVersionAsync(CancellationToken.None)).ToString();
            var report = new LoadReport(
                sdk, warmUp, sdkPhase, agentPhase, ceiling, idle, loaded, backgroundRate, probeInterval.TotalMilliseconds, steadyPeakRss,
                overload, overloadStored, overloadPeakRss, drainSeconds, acknowledged, storedAll, version, total.Elapsed.TotalSeconds,
                Traces.TraceLookupResult.Read(outputDirectory), goalRollup,
                beforeLoaded.Percentiles(beforeIdle), afterLoaded.Percentiles(beforeLoaded), beforeLoaded.GcSince(beforeIdle), afterLoaded.GcSince(beforeLoaded), sdkRuntime);
            Directory.CreateDirectory(outputDirectory);
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, "load.md"), report.ToMarkdown());
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, "load.json"), JsonSerializer.Serialize(report, Indented));
            Console.WriteLine(report.ToMarkdown());
            return acknowledged == storedAll && (ulong)overload.SpansAcknowledged == overloadStored ? 0 : 1;
        }
        finally
        {
            Stop(server);
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// The warm-up <c>load</c> and <c>load-cpu</c> begin with: the first <paramref name="rounds"/> rounds of
    /// <paramref name="sdk"/>'s traffic (CPU counted until stored), then <see cref="WarmUpSettle"/> — the server is left
    /// until the warm-up's goal runs are stored, detection has judged them and the JIT is quiet — then ClickHouse's merges
    /// of the warm-up's parts (<see cref="SettleAfterWarmUpAsync"/>), so the measured phase that follows sees a server
    /// past its first minute and a ClickHouse with no merge work of rows it did not insert; the JIT's counts at start,
    /// over the traffic and over the wait, and the merges' wait, are kept for the report.
    /// </summary>
    internal static async Task<WarmUpResult> WarmUpAsync(
        HttpClient http, int apiPort, ClickHouseClient clickHouse, ProcessMeter meter, StoreProbe store, OtlpSender sender, SdkTraffic sdk, int rounds)
    {
        var atStart = await RuntimeCounters.ScrapeAsync(http, apiPort);
        var runs = (long)rounds * sdk.TracesPerRound;
        var traffic = await PhaseAsync(meter, store, sender, sdk.Create, 0, rounds * ExportsPerRound, SdkTraffic.SpansPerExport, runs, waitForRuns: false);
        var afterTraffic = await RuntimeCounters.ScrapeAsync(http, apiPort);
        var settle = await WarmUpSettle.WaitAsync(http, apiPort, store, meter, runs);
        var merges = await SettleAfterWarmUpAsync(clickHouse, meter);
        return new WarmUpResult(
            traffic,
            atStart.CompiledMethods,
            afterTraffic.CompiledMethods - atStart.CompiledMethods,
            afterTraffic.CompilationSeconds - atStart.CompilationSeconds,
            settle,
            merges.Seconds,
            merges.ClickHouseCpuSeconds);
    }

    /// <summary>
    /// Exports from <see cref="Connections"/> concurrent senders over keep-alive connections; the clock runs until
    /// ClickHouse holds every span (an acknowledgement only means the spool has it), so the rate is end to end. CPU of
    /// both processes is counted until ClickHouse also holds the goal runs expected by then (a quiet period after their
    /// last spans), so it includes the rollup's whole work on these spans.
    /// </summary>
    internal static async Task<PhaseResult> PhaseAsync(
        ProcessMeter meter, StoreProbe store, OtlpSender sender, Func<long, byte[]> create, long first, int exports, int spansPerExport,
        long runsExpected, bool waitForRuns)
    {
        var spans = (long)exports * spansPerExport;
        var storedBefore = await store.RowsAsync();
        var probesBefore = store.Queries;
        var (taskLensBefore, clickHouseBefore) = meter.Cpu();
        store.Expect((ulong)spans);
        var clock = Stopwatch.StartNew();
        var next = -1;
        var acknowledged = 0;
        var refusals = 0;
        Task<(TimeSpan Cpu, ulong Stored, long Acknowledged)>? split = null;
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < exports)
            {
                Interlocked.Add(ref refusals, await sender.SendUntilAcceptedAsync(create(first + i)));
                if (Interlocked.Increment(ref acknowledged) == (exports + 1) / 2)
                {
                    split = SplitAsync(meter, store, (long)((exports + 1) / 2) * spansPerExport);
                }
            }
        })));
        await store.WaitForMoreAsync(0);
        var elapsed = clock.Elapsed;
        var taskLensAllStored = meter.Cpu().TaskLens;
        var runsStored = waitForRuns ? await store.WaitForRunsAsync((ulong)runsExpected, RunsWait) : 0;
        var (taskLensAfter, clickHouseAfter) = meter.Cpu();
        var halves = PhaseHalves.Compute(spans, (taskLensBefore, storedBefore), await split!, taskLensAllStored, taskLensAfter);
        return new PhaseResult(
            spans, elapsed.TotalSeconds, spans / elapsed.TotalSeconds,
            (taskLensAfter - taskLensBefore).TotalMicroseconds / spans,
            (clickHouseAfter - clickHouseBefore).TotalMicroseconds / spans,
            refusals, (long)runsStored, runsExpected, meter.PeakRssMiB(), halves, (long)storedBefore, store.Queries - probesBefore);
    }

    /// <summary>TaskLens's CPU, then the spans stored, at the moment half a phase's exports are acknowledged.</summary>
    private static async Task<(TimeSpan Cpu, ulong Stored, long Acknowledged)> SplitAsync(ProcessMeter meter, StoreProbe store, long acknowledgedSpans)
    {
        var cpu = meter.Cpu().TaskLens;
        return (cpu, await store.RowsAsync(), acknowledgedSpans);
    }

    private static void Progress(Stopwatch total, string what) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load run, {total.Elapsed.TotalSeconds:N0} s: {what}"));

    /// <summary>
    /// Waits until the merges of the warm-up's parts are done before a timed phase begins, as the fair ceiling does after
    /// its tables take the same rows: otherwise the phase's window holds merge work of rows it did not insert, and the
    /// ceiling's does not. Returns the seconds waited and ClickHouse's CPU seconds meanwhile (what the phase no longer counts).
    /// </summary>
    private static async Task<(double Seconds, double ClickHouseCpuSeconds)> SettleAfterWarmUpAsync(ClickHouseClient clickHouse, ProcessMeter meter)
    {
        var before = meter.Cpu().ClickHouse;
        var seconds = await WaitForMergesAsync(clickHouse, MergeWait);
        return (seconds, (meter.Cpu().ClickHouse - before).TotalSeconds);
    }

    /// <summary>Waits (at most <paramref name="limit"/>) until ClickHouse runs no merge; returns the seconds waited.</summary>
    public static async Task<double> WaitForMergesAsync(ClickHouseClient clickHouse, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit
               && (await clickHouse.QueryAsync("SELECT count() AS n FROM system.merges", r => r.GetUInt64("n"), CancellationToken.None))[0] > 0)
        {
            await Task.Delay(200);
        }

        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The built server on <paramref name="ports"/> (API, gRPC, HTTP, embedded ClickHouse HTTP and TCP) in <paramref name="work"/>.</summary>
    internal static Process StartServer(string serverDll, string work, int[] ports, long spoolCapBytes = SpoolCapBytes, params string[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                serverDll,
                "--contentRoot", work,
                "--TaskLens:Ingest:OpenMode=true",
                "--TaskLens:Server:ListenAddress=127.0.0.1",
                $"--TaskLens:Server:ApiPort={ports[0]}",
                $"--TaskLens:Server:OtlpGrpcPort={ports[1]}",
                $"--TaskLens:Server:OtlpHttpPort={ports[2]}",
                $"--TaskLens:ClickHouse:EmbeddedHttpPort={ports[3]}",
                $"--TaskLens:ClickHouse:EmbeddedTcpPort={ports[4]}",
                "--TaskLens:Spool:Path=" + Path.Combine(work, "spool"),
                $"--TaskLens:Spool:MaxBytes={spoolCapBytes}",
                "--Logging:LogLevel:Default=Warning",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitHealthyAsync(HttpClient http, int apiPort, Process server)
    {
        for (var i = 0; i < 600; i++)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"TaskLens exited with code {server.ExitCode} during start-up.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{apiPort}/healthz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("TaskLens did not become healthy within 60 s.");
    }

    internal static void Stop(Process server)
    {
        if (!server.HasExited)
        {
            // SIGTERM lets TaskLens stop its embedded ClickHouse cleanly.
            Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            if (!server.WaitForExit(30_000))
            {
                server.Kill(entireProcessTree: true);
            }
        }
    }

    internal static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
