using System.Diagnostics.Tracing;
using System.Globalization;
using TaskLens.Core.Goals;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.Benchmarks.Goals;

/// <summary>
/// What <see cref="SdkPipelineBenchmarks.RollupObserveAndSweepReused"/> allocates, operation by operation, for as many
/// simulated seconds as asked: the same 40 SDK-shaped exports observed each second under a tenant of their own, then a
/// sweep. BenchmarkDotNet reads allocations from one extra iteration of a few operations, so a rare large allocation
/// (a set or queue growing, a sort of every finalized run) lands in that iteration or not; here every operation is
/// counted (<see cref="GC.GetAllocatedBytesForCurrentThread"/> around the observe and the sweep), summed per window of
/// seconds, with the largest single operations listed, and the runtime's allocation samples (one about every 100 KB,
/// by type) say what allocated. <c>rollup-steady SECONDS</c>.
/// </summary>
internal static class RollupSteadyRun
{
    private const int Exports = 40;
    private const int Window = 100;

    /// <param name="loadTraffic">The load run's exports (<see cref="Load.SdkTraffic"/>, every trace with its root) instead of <see cref="SdkExport"/>'s.</param>
    /// <param name="drain">
    /// The exports drained into rows with the facts read in the same pass (<see cref="GoalRollupSpanRowSink"/>), as the
    /// server's drainer does, instead of observed as a decoded batch; <c>null</c> drains them without the facts (the base).
    /// </param>
    public static int Run(int seconds, bool loadTraffic, bool? drain = false)
    {
        var batch = new SpanBatch();
        var traffic = new Load.SdkTraffic(Exports, seed: 13, startUnixNanos: 1_795_000_000_000_000_000);
        var exports = Enumerable.Range(1, Exports).Select(i => loadTraffic ? traffic.Create(i - 1) : SdkExport.Create(i)).ToArray();
        foreach (var export in exports)
        {
            SpanBatchDecoder.Decode(export, batch);
        }

        var spans = batch.SpanCount;
        var rollup = new GoalRollup(new GoalOptions(), ModelPriceTable.Parse("""{"models": {"gpt-4o": {"input": 2.5, "output": 10}}}"""));
        var clock = new SecondsClock();
        var rows = new Stages.EncodedRowsSink();
        ISpanRowSink sink = drain == true ? new GoalRollupSpanRowSink(rows, rollup, clock, e => throw e) : rows;
        var observed = new long[seconds];
        var cpu = new double[seconds];
        var swept = new long[seconds];
        using var samples = new AllocationSamples();
        var finalized = 0L;
        for (var second = 0; second < seconds; second++)
        {
            var nowMs = clock.NowMs = (second + 1) * 1_000L;
            batch.Tenant = string.Create(CultureInfo.InvariantCulture, $"t{nowMs}");
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var before = GC.GetAllocatedBytesForCurrentThread();
            if (drain is false)
            {
                rollup.Observe(batch, nowMs);
            }
            else
            {
                using var run = sink.Begin(batch.Tenant);
                foreach (var export in exports)
                {
                    OtlpTraceDecoder.DecodeRows(export, run);
                }

                run.StoreAsync(CancellationToken.None).GetAwaiter().GetResult();
            }

            var between = GC.GetAllocatedBytesForCurrentThread();
            finalized += rollup.Sweep(nowMs).Count;
            var after = GC.GetAllocatedBytesForCurrentThread();
            cpu[second] = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds / spans;
            observed[second] = between - before;
            swept[second] = after - between;
            if (second == 149)
            {
                // SdkPipelineBenchmarks' warm-up ends here: the samples from now on are what it measures.
                samples.Reset();
            }
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"rollup-steady: {seconds} simulated seconds of {spans:N0} spans, {finalized:N0} runs finalized; bytes a span allocated (observe + sweep) per window:"));
        for (var from = 0; from < seconds; from += Window)
        {
            var to = Math.Min(seconds, from + Window);
            long o = 0, s = 0;
            for (var i = from; i < to; i++)
            {
                o += observed[i];
                s += swept[i];
            }

            var n = (double)(to - from) * spans;
            Console.WriteLine(string.Create(inv, $"  seconds {from + 1,5}-{to,5}: observe {o / n,7:N1}  sweep {s / n,7:N1}  total {(o + s) / n,7:N1}"));
        }

        Console.WriteLine("largest single seconds (bytes a span, observe + sweep):");
        foreach (var i in Enumerable.Range(0, seconds).OrderByDescending(i => observed[i] + swept[i]).Take(12).Order())
        {
            Console.WriteLine(string.Create(inv, $"  second {i + 1,5}: observe {observed[i] / (double)spans,9:N1}  sweep {swept[i] / (double)spans,9:N1}"));
        }

        var steadyCpu = cpu.Skip(150).Order().ToList();
        if (steadyCpu.Count > 0)
        {
            Console.WriteLine(string.Create(inv, $"process CPU after second 150 (us a span, GC threads included): median second {steadyCpu[steadyCpu.Count / 2]:N3}, mean {steadyCpu.Average():N3}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        }

        var median = Enumerable.Range(150, Math.Max(0, seconds - 150)).Select(i => observed[i] + swept[i]).Order().ToList();
        if (median.Count > 0)
        {
            Console.WriteLine(string.Create(inv, $"after second 150: median second {median[median.Count / 2] / (double)spans:N1} B a span, mean {median.Average() / spans:N1}"));
        }

        var stats = rollup.Stats;
        Console.WriteLine(string.Create(inv, $"at the end: {stats.RunsInMemory:N0} runs, {stats.SpansInMemory:N0} open spans, {stats.FinalizedSpanIdsInMemory:N0} finalized ids; {stats.RunsFinalized:N0} finalized, {stats.RunsFinalizedEarly:N0} of them early"));
        samples.Print(spans * (double)Math.Max(1, seconds - 150));
        GC.KeepAlive(rollup);
        return 0;
    }

    private sealed class SecondsClock : TimeProvider
    {
        public long NowMs { get; set; }

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);
    }

    /// <summary>The runtime's <c>GCAllocationTick</c> events (one per ~100 KB allocated), summed by type.</summary>
    private sealed class AllocationSamples : EventListener
    {
        private readonly Dictionary<string, long> _bytes = [];
        private readonly Lock _gate = new();

        public void Reset()
        {
            lock (_gate)
            {
                _bytes.Clear();
            }
        }

        public void Print(double spans)
        {
            Thread.Sleep(2_000);
            lock (_gate)
            {
                Console.WriteLine("allocation samples after second 150, by type (bytes a span, ~100 KB resolution):");
                foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(15))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes / spans,8:N2}  {type}"));
                }
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
            {
                return;
            }

            var type = eventData.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload[t] as string ?? "?" : "?";
            var amount = eventData.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(eventData.Payload[a], CultureInfo.InvariantCulture) : 0;
            lock (_gate)
            {
                _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
            }
        }
    }
}
