using System.Diagnostics;
using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Only the SDK-shaped phase of <see cref="LoadBenchmark"/>, short and bounded: a four-round warm-up and its wait
/// (<see cref="LoadBenchmark.WarmUpAsync"/>), then
/// <c>ROUNDS</c> rounds of 100 exports of 512 spans, timed until ClickHouse holds them and their goal runs, then the
/// load run's fair ceiling over the same rows. Out: throughput and the CPU per span of TaskLens and of ClickHouse, the
/// ceiling and the ratio, with the machine's load average beside them, so two builds can be compared by alternating
/// runs (<c>TaskLens.Benchmarks load-cpu SERVER_DLL ROUNDS [profile]</c>) and `perf` can be pointed at the server
/// while it runs; <c>profile</c> adds ClickHouse's CPU by query kind and its merges (<see cref="ClickHouseProfile"/>),
/// <c>phase-only</c> leaves out the ceiling (A/B pairs of the phase's own counts on a loaded machine). The phase begins
/// once the warm-up's merges are done, as the load run's does, and ClickHouse's CPU in it is split by thread
/// (<see cref="ThreadCpu"/>: queries, merges). Not part of <c>./build.sh bench</c>.
/// </summary>
internal static class LoadCpuRun
{
    private const int WarmUpRounds = 4;

    public static async Task<int> RunAsync(string serverDll, int rounds, bool profile = false, bool withCeiling = true)
    {
        if (rounds is < 1 or > 40)
        {
            Console.Error.WriteLine("ROUNDS must be 1-40 (each is 51,200 spans).");
            return 2;
        }

        var work = Path.Combine(Path.GetTempPath(), "tasklens-loadcpu-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var ports = LoadBenchmark.FreePorts(5);
        if (profile)
        {
            ClickHouseProfile.Enable(Path.Combine(work, ".tasklens", "clickhouse"));
        }

        using var server = LoadBenchmark.StartServer(serverDll, work, ports);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            await LoadBenchmark.WaitHealthyAsync(http, ports[0], server);
            using var clickHouse = LoadBenchmark.EmbeddedClickHouse(work, ports[3], TimeSpan.FromMinutes(5));
            var meter = new ProcessMeter(server);
            var store = new StoreProbe(clickHouse);
            var sdk = new SdkTraffic(LoadBenchmark.ExportsPerRound, seed: 20, startUnixNanos: (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000) * 1_000_000);
            using var sender = new OtlpSender(new Uri($"http://127.0.0.1:{ports[2]}/v1/traces"), LoadBenchmark.Connections);
            var warmUpExports = WarmUpRounds * LoadBenchmark.ExportsPerRound;
            var warmUp = await LoadBenchmark.WarmUpAsync(http, ports[0], clickHouse, meter, store, sender, sdk, WarmUpRounds);
            Console.WriteLine(warmUp.Describe((long)rounds * LoadBenchmark.ExportsPerRound * SdkTraffic.SpansPerExport));
            if (profile)
            {
                // query_log's event_time is in whole seconds: without a second between them, the warm-up's last
                // insert (finished in the phase's first second) was counted as the phase's.
                await Task.Delay(TimeSpan.FromSeconds(1.1));
            }

            var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            var phaseFrom = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var runtimeBefore = await RuntimeCounters.ScrapeAsync(http, ports[0]);
            var goalsBefore = await GoalRollupCounters.ReadAsync(http, ports[0]);
            var threadsBefore = meter.ClickHouseThreads();
            var phaseStarted = Stopwatch.GetTimestamp();
            var phase = await LoadBenchmark.PhaseAsync(
                meter, store, sender, sdk.Create, warmUpExports, rounds * LoadBenchmark.ExportsPerRound, SdkTraffic.SpansPerExport,
                (WarmUpRounds + rounds) * sdk.TracesPerRound, waitForRuns: true);
            var phaseEnded = Stopwatch.GetTimestamp();
            var phaseThreads = meter.ClickHouseThreads().DescribeSince(threadsBefore, phase.Spans, "span");
            var loadAfter = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            var runtime = (await RuntimeCounters.ScrapeAsync(http, ports[0])).Since(runtimeBefore, phase.Spans);
            var goals = await GoalRollupCounters.ReadAsync(http, ports[0]);
            if (profile)
            {
                Console.WriteLine(await ClickHouseProfile.ReportAsync(clickHouse, phaseFrom, phase.Spans, phase.ClickHouseCpuMicrosPerSpan * phase.Spans / 1e6));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(serverDll)))}: {phase.Spans:N0} spans in {phase.Seconds:N1} s, {phase.SpansPerSecond:N0} spans/s; TaskLens {phase.TaskLensCpuMicrosPerSpan:N2} CPU-µs/span, ClickHouse {phase.ClickHouseCpuMicrosPerSpan:N2}; runs {phase.RunsStored}/{phase.RunsExpected}; TaskLens peak RSS {meter.PeakRssMiB():N0} MiB; goal runs finalized early {goals.RunsFinalizedEarly:N0}, spans held {goals.SpansInMemory:N0}; load average {load} → {loadAfter}"));
            Console.WriteLine("  " + phase.Halves.Describe());
            Console.WriteLine("  " + runtime);
            Console.WriteLine("  phase: " + phaseThreads);
            Console.WriteLine("  goal rollup in the phase (and its runs' wait): " + goals.DescribeLateSince(goalsBefore));
            // perf's sample times are on the same clock (CLOCK_MONOTONIC), so a profile of the whole server can be cut to the phase.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  phase window, CLOCK_MONOTONIC seconds: {phaseStarted / (double)Stopwatch.Frequency:F3} to {phaseEnded / (double)Stopwatch.Frequency:F3}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  bench's store probe: {phase.ProbeQueries} queries in the phase; spans held when it began {phase.RowsHeldBefore:N0}"));
            if (!withCeiling)
            {
                return 0;
            }

            // The fair ceiling of the load run over this phase's own rows, so one short run gives the ratio too.
            var ceilingThreadsBefore = meter.ClickHouseThreads();
            var ceiling = await FairCeiling.MeasureAsync(
                clickHouse, Enumerable.Range(0, rounds * LoadBenchmark.ExportsPerRound).Select(i => sdk.Create(warmUpExports + i)),
                Enumerable.Range(0, warmUpExports).Select(i => sdk.Create(i)),
                LoadBenchmark.DrainBatch.Exports, LoadBenchmark.DrainBatch.Bytes, LoadBenchmark.DrainInserts, "tasklens", LoadBenchmark.MergeWait,
                () => meter.Cpu().ClickHouse);
            // All three passes, their untimed rows, merges and table copies included: per row inserted in all.
            Console.WriteLine("  ceiling, all passes: " + meter.ClickHouseThreads().DescribeSince(
                ceilingThreadsBefore, 3 * (ceiling.Rows + ceiling.RowsHeldBefore), "row inserted"));
            if (profile)
            {
                Console.WriteLine("The ceiling's last pass, profiled the same way:");
                Console.WriteLine(await ClickHouseProfile.ReportAsync(
                    clickHouse, ceiling.LastPassUnixSeconds.From, ceiling.Rows, ceiling.LastPassClickHouseCpuSeconds, ceiling.LastPassUnixSeconds.To));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  ceiling ({ceiling.Batches} inserts of {ceiling.Rows / (double)ceiling.Batches:N0} rows; its tables held {ceiling.RowsHeldBefore:N0} first): {string.Join(", ", ceiling.Passes.Select(p => p.ToString("N0", CultureInfo.InvariantCulture)))} rows/s, median {ceiling.RowsPerSecond:N0}, ClickHouse {ceiling.ClickHouseCpuMicrosPerRow:N2} CPU-µs/row inserting, {ceiling.ClickHouseCpuWithMergesMicrosPerRow:N2} with its merges; end to end ÷ ceiling {phase.SpansPerSecond / ceiling.RowsPerSecond:0.00}; load average → {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            return 0;
        }
        finally
        {
            LoadBenchmark.Stop(server);
            Directory.Delete(work, recursive: true);
        }
    }
}
