using BenchmarkDotNet.Running;

namespace TaskLens.Benchmarks;

internal static class Program
{
    /// <summary>
    /// <c>load SERVER_DLL OUTPUT_DIR</c> runs the whole-system load run, <c>load-phases SERVER_DLL [SAMPLES] [BACKGROUND_SPANS_PER_S] [OVERLOAD_S] [GOAL_QUIET_S] [--Server:Setting=value ...]</c> only its latency and overload phases (short; memory sampled every 2 s; a goal quiet period to hold as many open spans as the quiet machine does; settings passed to the server for A/B runs), <c>gc-trace TRACE.nettrace [FROM TO]</c> the collections in a server's runtime trace (GC events; FROM and TO the UTC window <c>load-phases</c> prints), <c>load-cpu SERVER_DLL ROUNDS [profile] [phase-only]</c> only its SDK-shaped phase and the fair ceiling over its rows (short, for A/B profiling; profile: ClickHouse's CPU by query kind; phase-only: no ceiling, for A/B pairs of the phase's own counts on a loaded machine), <c>disk-sync [DIR] [ROUNDS]</c> the spool's disk alone (write and sync of 0.3-4 MiB appends by file and sync kind), <c>spool-append [DIR] [PROBES] [ROUNDS] [BACKGROUND_PER_S] [PROBE_INTERVAL_MS]</c> the spool's append path alone (3 MiB records' acknowledgement beside paced 320 KiB writers, by phase), <c>grpc SERVER_DLL ROUNDS [OUTPUT_DIR]</c> the two OTLP/gRPC servers' CPU per span, interleaved, <c>traces SERVER_DLL OUTPUT_DIR</c> trace by id over 10 million spans, <c>dashboard SERVER_DLL OUTPUT_DIR</c> the dashboard's page render times, <c>goals OUTPUT_DIR</c> the goal rollup run, <c>held SPANS_PER_S SECONDS [PAUSE_S] [BURST_S]</c> the GC's work for the rollup's held spans at a simulated rate (and the pools' arrays made after a burst of large runs), <c>rollup-steady SECONDS [sdk-export|traffic|drain|drain-only]</c> what the steady-state rollup allocates and its CPU, second by second (observing the stage benchmarks' exports or the load run's; or draining the load run's into rows with the goal facts, or without them), <c>stages OUTPUT_DIR</c> ingest's CPU per span by stage,
    /// <c>nab DATA_DIR OUTPUT_DIR</c> detection accuracy over NAB (<c>nab-choose DATA_DIR</c> its choosing part alone, <c>nab-inspect-reported DATA_DIR</c> production on its reported part alone, for failure kinds only), <c>grouping CORPUS_DIR OUTPUT_DIR</c> alert grouping over
    /// the alert-storm corpus (<c>grouping-corpus DIR</c> generates that corpus, <c>grouping-explain STORM.json</c> shows what
    /// each incident of one storm is made of), <c>fuzz TOTAL OUTPUT_DIR</c> the decoders'
    /// property tests at volume, <c>briefs OUTPUT_DIR [tuning|reported|all]</c> likely-origin accuracy of briefs; anything else goes to BenchmarkDotNet.
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        if (args is ["load", var serverDll, var output])
        {
            return await Load.LoadBenchmark.RunAsync(serverDll, output);
        }

        if (args is ["load-phases", var phasesServerDll, ..] && args.Count(a => !a.StartsWith("--", StringComparison.Ordinal)) <= 6)
        {
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            var serverSettings = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToArray();
            args = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];
            return await Load.LatencyMemoryRun.RunAsync(
                phasesServerDll,
                args.Length > 2 ? int.Parse(args[2], inv) : 100,
                args.Length > 3 ? double.Parse(args[3], inv) : 0,
                TimeSpan.FromSeconds(args.Length > 4 ? double.Parse(args[4], inv) : 30),
                args.Length > 5 ? TimeSpan.FromSeconds(double.Parse(args[5], inv)) : null,
                serverSettings);
        }

        if (args is ["load-cpu", var cpuServerDll, var cpuRounds, ..] && args.Length <= 5 && args[3..].All(a => a is "profile" or "phase-only"))
        {
            return await Load.LoadCpuRun.RunAsync(
                cpuServerDll, int.Parse(cpuRounds, System.Globalization.CultureInfo.InvariantCulture), args.Contains("profile"), withCeiling: !args.Contains("phase-only"));
        }

        if (args is ["disk-sync", ..] && args.Length <= 3)
        {
            return Spool.DiskSyncRun.Run(args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "tasklens-disk-sync"), args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 40);
        }

        if (args is ["spool-append", ..] && args.Length <= 6)
        {
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            return await Spool.SpoolAppendRun.RunAsync(
                args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "tasklens-spool-append"),
                args.Length > 2 ? int.Parse(args[2], inv) : 100,
                args.Length > 3 ? int.Parse(args[3], inv) : 4,
                args.Length > 4 ? double.Parse(args[4], inv) : 16,
                TimeSpan.FromMilliseconds(args.Length > 5 ? double.Parse(args[5], inv) : 200));
        }

        if (args is ["grpc", var grpcServerDll, var grpcRounds, ..] && args.Length <= 4)
        {
            return await Grpc.GrpcServerBenchmark.RunAsync(grpcServerDll, int.Parse(grpcRounds, System.Globalization.CultureInfo.InvariantCulture), args.Length > 3 ? args[3] : null);
        }

        if (args is ["traces", var tracesServerDll, var tracesOutput])
        {
            return await Traces.TraceLookupBenchmark.RunAsync(tracesServerDll, tracesOutput);
        }

        if (args is ["dashboard", var dashboardServerDll, var dashboardOutput])
        {
            return await Dashboard.DashboardBenchmark.RunAsync(dashboardServerDll, dashboardOutput);
        }

        if (args is ["goals", var goalsOutput])
        {
            return await Goals.GoalRollupBenchmark.RunAsync(goalsOutput);
        }

        if (args is ["held", ..])
        {
            if (!Goals.HeldArguments.TryParse(args, out var heldRate, out var heldSeconds, out var heldPause, out var heldBurst))
            {
                await Console.Error.WriteLineAsync(Goals.HeldArguments.Usage);
                return 2;
            }

            return await Goals.HeldSpansRun.RunAsync(heldRate, heldSeconds, heldPause, heldBurst);
        }

        if (args is ["rollup-steady", var steadySeconds, ..] && args.Length <= 3 && args[2..] is [] or ["sdk-export"] or ["traffic"] or ["drain"] or ["drain-only"])
        {
            return Goals.RollupSteadyRun.Run(
                int.Parse(steadySeconds, System.Globalization.CultureInfo.InvariantCulture),
                loadTraffic: args.Length == 3 && args[2] != "sdk-export",
                drain: args is [_, _, "drain"] ? true : args is [_, _, "drain-only"] ? null : false);
        }

        if (args is ["stages", var stagesOutput])
        {
            return await Stages.IngestStageCost.RunAsync(stagesOutput);
        }

        if (args is ["nab", var nabData, var nabOutput])
        {
            return await Detection.NabBenchmark.RunAsync(nabData, nabOutput);
        }

        if (args is ["nab-choose", var chooseData])
        {
            return await Detection.NabBenchmark.ChooseAsync(chooseData);
        }

        if (args is ["nab-inspect-reported", var inspectData])
        {
            return await Detection.NabBenchmark.ChooseAsync(inspectData, reported: true);
        }

        if (args is ["gc-trace", var gcTrace, ..] && args.Length is 2 or 4)
        {
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            return Load.GcTraceRun.Run(gcTrace, args.Length == 4 ? TimeSpan.Parse(args[2], inv) : null, args.Length == 4 ? TimeSpan.Parse(args[3], inv) : null);
        }

        if (args is ["grouping", var corpus, var groupingOutput])
        {
            return await Incidents.GroupingBenchmark.RunAsync(corpus, groupingOutput);
        }

        if (args is ["briefs", var briefsOutput, ..] && args.Length <= 3)
        {
            return await Briefs.OriginEvaluation.RunAsync(briefsOutput, args.Length == 3 ? args[2] : "all");
        }

        if (args is ["grouping-explain", var stormFile, ..] && args.Length <= 3)
        {
            return Incidents.GroupingBenchmark.Explain(stormFile, why: args is [_, _, "--why"]);
        }

        if (args is ["fuzz", var fuzzTotal, var fuzzOutput])
        {
            return Fuzz.DecoderFuzz.Run(long.Parse(fuzzTotal, System.Globalization.CultureInfo.InvariantCulture), fuzzOutput);
        }

        if (args is ["grouping-corpus", var corpusOutput])
        {
            Incidents.ClusterStormCorpus.Generate(corpusOutput);
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
