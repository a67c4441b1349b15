using System.Diagnostics;
using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// A short, bounded run of only the load run's acknowledgement-latency and overload phases
/// (<c>load-phases SERVER_DLL [SAMPLES] [BACKGROUND_SPANS_PER_S] [OVERLOAD_SECONDS]</c>), for working on ack latency and
/// peak memory without the whole run: the same server settings, traffic, probes and overload as
/// <see cref="LoadBenchmark"/>, after a short warm-up; the background rate is given (so A/B runs offer the same load)
/// or half the warm-up's end-to-end rate. It prints the server's process id first, for <c>dotnet-counters</c>, and
/// samples where the server's memory is every two seconds (<see cref="MemorySampler"/>). A goal quiet period longer than
/// the default 30 s holds more open runs' spans (the quiet machine, at ~45k spans/s, holds ~1.4M through 30 s; a loaded
/// machine sends a tenth of that), so the peak can be seen with the rollup as full as it is there.
/// </summary>
internal static class LatencyMemoryRun
{
    private const int WarmUpRounds = 3;

    public static async Task<int> RunAsync(string serverDll, int samples, double backgroundRate, TimeSpan overloadDuration, TimeSpan? goalQuietPeriod = null, IReadOnlyList<string>? serverSettings = null)
    {
        var work = Path.Combine(Path.GetTempPath(), "tasklens-phases-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var ports = LoadBenchmark.FreePorts(5);
        string[] settings = [$"--TaskLens:Ingest:MaxBytesInFlight={LoadBenchmark.MaxBytesInFlight}", $"--TaskLens:Ingest:MaxRequestBytes={LoadBenchmark.MaxRequestBytes}"];
        if (goalQuietPeriod is { } quiet)
        {
            settings = [.. settings, string.Create(CultureInfo.InvariantCulture, $"--TaskLens:Goals:QuietPeriod={quiet:c}")];
        }

        settings = [.. settings, .. serverSettings ?? []];
        Console.WriteLine("server settings: " + string.Join(' ', settings));

        using var server = LoadBenchmark.StartServer(serverDll, work, ports, LoadBenchmark.SpoolCapBytes, settings);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            await LoadBenchmark.WaitHealthyAsync(http, ports[0], server);
            Console.WriteLine($"server pid {server.Id}");
            await using var memory = new MemorySampler(server.Id, ports[0], Path.Combine(Path.GetTempPath(), $"tasklens-memory-{server.Id}.tsv"));
            using var clickHouse = LoadBenchmark.EmbeddedClickHouse(work, ports[3], TimeSpan.FromMinutes(5));
            var meter = new ProcessMeter(server);
            var store = new StoreProbe(clickHouse);
            var endpoint = new Uri($"http://127.0.0.1:{ports[2]}/v1/traces");
            var sdk = new SdkTraffic(LoadBenchmark.ExportsPerRound, seed: 20, startUnixNanos: (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000) * 1_000_000);
            var agents = new AgentTraffic();
            using var sender = new OtlpSender(endpoint, LoadBenchmark.Connections);

            var warmUpExports = WarmUpRounds * LoadBenchmark.ExportsPerRound;
            var clock = Stopwatch.StartNew();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, LoadBenchmark.Connections).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < warmUpExports)
                {
                    await sender.SendUntilAcceptedAsync(sdk.Create(i));
                }
            })));
            await store.WaitForMoreAsync((ulong)(warmUpExports * SdkTraffic.SpansPerExport));
            var warmUpRate = warmUpExports * SdkTraffic.SpansPerExport / clock.Elapsed.TotalSeconds;
            long sdkNext = warmUpExports, agentNext = 0;
            meter.ResetPeakRss();
            var afterWarmUp = DateTime.UtcNow;

            await LoadBenchmark.WaitForMergesAsync(clickHouse, LoadBenchmark.MergeWait);
            var beforeIdle = await StageHistograms.ScrapeAsync(http, ports[0]);
            var idleFrom = DateTime.UtcNow;
            var idle = await AckLatency.IdleAsync(sender, agents, agentNext, samples, n => store.WaitForMoreAsync(n));
            agentNext += samples;

            if (backgroundRate <= 0)
            {
                backgroundRate = LoadBenchmark.BackgroundShare * warmUpRate;
            }

            var beforeLoaded = await StageHistograms.ScrapeAsync(http, ports[0]);
            var loadedFrom = DateTime.UtcNow;
            var (cpuBefore, _) = meter.Cpu();
            var loadedClock = Stopwatch.StartNew();
            using var probe = new OtlpSender(endpoint, 1);
            var probeInterval = TimeSpan.FromSeconds(Math.Clamp(
                AgentTraffic.SpansPerExport / (LoadBenchmark.ProbeShare * 2 * backgroundRate),
                LoadBenchmark.MinProbeInterval.TotalSeconds, LoadBenchmark.MaxProbeInterval.TotalSeconds));
            var loaded = await AckLatency.UnderLoadAsync(probe, sender, agents, agentNext, sdk, sdkNext, backgroundRate, samples, probeInterval);
            var (cpuAfter, _) = meter.Cpu();
            var afterLoaded = await StageHistograms.ScrapeAsync(http, ports[0]);
            var loadedTo = DateTime.UtcNow;
            var loadedCpuShare = (cpuAfter - cpuBefore).TotalSeconds / loadedClock.Elapsed.TotalSeconds / Environment.ProcessorCount;
            sdkNext += loaded.BackgroundSpansSent / SdkTraffic.SpansPerExport;
            await store.WaitForMoreAsync((ulong)(loaded.BackgroundSpansSent + (samples * AgentTraffic.SpansPerExport)), TimeSpan.FromMinutes(5));
            var steadyPeakRss = meter.PeakRssMiB();

            await Task.Delay(TimeSpan.FromSeconds(1.1));
            var overloadFrom = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            await Task.Delay(TimeSpan.FromSeconds(1.1));
            meter.ResetPeakRss();
            var overloadStart = DateTime.UtcNow;
            var (overloadCpuBefore, _) = meter.Cpu();
            var overloadRuntimeBefore = await RuntimeCounters.ScrapeAsync(http, ports[0]);
            using var overloadSender = new OtlpSender(endpoint, LoadBenchmark.OverloadClients);
            var overload = await OverloadPhase.RunAsync(overloadSender, sdk, sdkNext, LoadBenchmark.OverloadClients, overloadDuration);
            store.Expect((ulong)overload.SpansAcknowledged);
            await store.WaitForMoreAsync(0, TimeSpan.FromMinutes(5));
            var overloadPeakRss = meter.PeakRssMiB();
            var (overloadCpuAfter, _) = meter.Cpu();
            var overloadRuntime = (await RuntimeCounters.ScrapeAsync(http, ports[0])).Since(overloadRuntimeBefore, overload.SpansAcknowledged);
            var overloadCpuPerSpan = (overloadCpuAfter - overloadCpuBefore).TotalMicroseconds / overload.SpansAcknowledged;
            var overloadStored = await store.WaitForDistinctAsync($"ingested_at >= toDateTime({overloadFrom})", (ulong)overload.SpansAcknowledged, TimeSpan.FromMinutes(1));

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warm-up {warmUpRate:N0} spans/s; background {backgroundRate:N0} spans/s offered, {loaded.BackgroundSpansSent:N0} spans sent, {loaded.BackgroundSpansSkipped:N0} skipped; TaskLens CPU {loadedCpuShare:P0} of the cores under load"));
            // Wall-clock windows (UTC), so a runtime trace of the server (DOTNET_EnableEventPipe) can be cut to the phases.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"windows UTC: idle {idleFrom:HH:mm:ss.fff}-{loadedFrom:HH:mm:ss.fff}, loaded {loadedFrom:HH:mm:ss.fff}-{loadedTo:HH:mm:ss.fff}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ack ms idle p50 {idle.AckP50:N1} p99 {idle.AckP99:N1}; loaded p50 {loaded.AckP50:N1} p90 {AckLatency.Percentile(loaded.AckMs, 0.9):N1} p99 {loaded.AckP99:N1} max {loaded.AckMs.Max():N1} ({samples} probes, {loaded.ProbeRefusals} refusals)"));
            PrintSlowest("loaded", loaded);
            PrintSlowest("idle", idle);
            Console.WriteLine("where acknowledgements waited under load (server histograms over the probes and background):");
            afterLoaded.Since(beforeLoaded).ToList().ForEach(Console.WriteLine);
            Console.WriteLine(afterLoaded.GcSince(beforeLoaded)?.ToString() ?? "  GC: not exported by this server");
            Console.WriteLine("... and idle (the probes alone):");
            beforeLoaded.Since(beforeIdle).ToList().ForEach(Console.WriteLine);
            Console.WriteLine(beforeLoaded.GcSince(beforeIdle)?.ToString() ?? "  GC: not exported by this server");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"peak RSS MiB after warm-up {steadyPeakRss:N0}, overload {overloadPeakRss:N0}; overload offered {overload.SpansOffered:N0}, 429 {overload.TooManyRequests:N0}, 503 {overload.ServiceUnavailable:N0}, acknowledged {overload.SpansAcknowledged:N0}, stored {overloadStored:N0}; TaskLens {overloadCpuPerSpan:N2} CPU-µs per span through overload and its drain"));
            Console.WriteLine("  overload's " + overloadRuntime + " (per span acknowledged)");
            Console.WriteLine($"memory sampled every 2 s ({memory.Path}; {memory.ScrapeFailures} scrapes of /metrics failed or timed out), at the largest sample");
            Console.WriteLine("  after warm-up, before the overload: " + memory.Peak(afterWarmUp, overloadStart));
            Console.WriteLine("  overload and its drain: " + memory.Peak(overloadStart, DateTime.MaxValue));
            return (ulong)overload.SpansAcknowledged == overloadStored ? 0 : 1;
        }
        finally
        {
            LoadBenchmark.Stop(server);
            Directory.Delete(work, recursive: true);
        }
    }

    private static void PrintSlowest(string phase, LatencyResult probes) =>
        Console.WriteLine($"{phase}: {probes.Client}; slowest probes (sent UTC, ms): " + string.Join(", ",
            probes.Slowest(5).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.SentUtc:HH:mm:ss.fff} {p.AckMs:N1}"))));
}
