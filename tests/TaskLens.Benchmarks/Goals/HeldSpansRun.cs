using System.Diagnostics;
using System.Globalization;
using TaskLens.Benchmarks.Load;
using TaskLens.Core.Goals;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.Benchmarks.Goals;

/// <summary>
/// What the goal rollup's held spans cost the GC, bounded and on one thread: the load run's SDK-shaped exports
/// (<see cref="SdkTraffic"/>) observed at a simulated rate with the default 30 s quiet period and a sweep a simulated
/// second, so the rollup fills to what the server holds at that rate (about rate × 32 s spans) and then holds it while
/// runs are finalized and new ones arrive. Over that steady part it counts the collections, their pauses and what each
/// promoted (<see cref="GC.GetGCMemoryInfo(GCKind)"/> after every export), and at the end the managed heap per held span
/// after a full collection. The decode of each export runs in the same thread, so gen 0 fills with its garbage as in the
/// server. <c>held SPANS_PER_SECOND SECONDS [PAUSE_S] [BURST_S]</c>: PAUSE_S keeps the process alive at the end (its id
/// printed) for a <c>dotnet-gcdump</c>; BURST_S sends traces of up to <see cref="BurstTraceSpans"/> spans for the first
/// BURST_S seconds (the steady part begins a quiet period after it), to see what the pools keep and make after a burst
/// of large runs. The pools' arrays made and bytes kept free are printed for the steady part.
/// </summary>
internal static class HeldSpansRun
{
    private const int Templates = 200;

    /// <summary>The largest trace of the burst: runs of a first array and a few 1,024-span chunks.</summary>
    private const int BurstTraceSpans = 4_000;

    /// <summary>Export numbers of the traffic after a burst start here, so its trace ids are not the burst's.</summary>
    private const long AfterBurstSequence = 1L << 32;

    public static async Task<int> RunAsync(int spansPerSecond, int seconds, int pauseSeconds, int burstSeconds = 0)
    {
        var traffic = new SdkTraffic(Templates, seed: 20, startUnixNanos: 1_795_000_000_000_000_000);
        var burst = burstSeconds > 0 ? new SdkTraffic(Templates, seed: 21, startUnixNanos: 1_795_000_000_000_000_000, BurstTraceSpans) : null;
        var options = new GoalOptions();
        var rollup = new GoalRollup(options, ModelPriceTable.Parse("""{"models": {"gpt-4o": {"input": 2.5, "output": 10}}}"""));
        var batch = new SpanBatch();
        var exportsPerSecond = spansPerSecond / (double)SdkTraffic.SpansPerExport;
        var steadyFromMs = (burstSeconds * 1_000L) + (long)(options.QuietPeriod.TotalMilliseconds + 5_000);
        var exports = (long)(exportsPerSecond * seconds);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        var steady = new SteadyWindow();
        var pools = new PoolWindow(rollup.HeldSpans);
        long lastSweepMs = 0, finalized = 0;
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < exports; i++)
        {
            var nowMs = (long)(i * 1000 / exportsPerSecond);
            if (nowMs - lastSweepMs >= 1_000)
            {
                finalized += rollup.Sweep(nowMs).Count;
                lastSweepMs = nowMs;
            }

            if (nowMs >= steadyFromMs && !steady.Started)
            {
                steady.Start();
                pools.Start();
            }

            batch.Clear();
            SpanBatchDecoder.Decode(burst is not null && nowMs < burstSeconds * 1_000L ? burst.Create(i) : traffic.Create(AfterBurstSequence + i), batch);
            rollup.Observe(batch, nowMs);
            if (steady.Started)
            {
                steady.Note(rollup.Stats.SpansInMemory);
            }
        }

        steady.Stop();
        pools.Stop();
        batch.Clear();
        var stats = rollup.Stats;
        var heap = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"held: {spansPerSecond:N0} spans/s simulated for {seconds} s ({exports:N0} exports, {clock.Elapsed.TotalSeconds:N1} s wall), quiet period {options.QuietPeriod.TotalSeconds} s; {finalized:N0} runs finalized, {stats.RunsFinalizedEarly} early"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"held at the end: {stats.SpansInMemory:N0} open spans, {stats.FinalizedSpanIdsInMemory:N0} finalized span ids, {stats.RunsInMemory:N0} runs; managed heap {heap / 1048576.0:N1} MiB after a full collection, {heap / (double)stats.SpansInMemory:N1} bytes per open span (finalized ids included)"));
        steady.Print(seconds - (steadyFromMs / 1000));
        pools.Print();
        GC.KeepAlive(rollup);
        if (pauseSeconds > 0)
        {
            Console.WriteLine($"held: pid {Environment.ProcessId}, waiting {pauseSeconds} s");
            await Task.Delay(TimeSpan.FromSeconds(pauseSeconds));
            GC.KeepAlive(rollup);
        }

        return stats.RunsFinalizedEarly == 0 ? 0 : 1;
    }

    /// <summary>What the held spans' pools made and kept over the steady part.</summary>
    private sealed class PoolWindow(HeldSpanStore store)
    {
        private (long Spans, long Slots, long Ids) _madeAtStart;
        private (long Spans, long Slots, long Ids) _made;

        public void Start() => _madeAtStart = Made();

        public void Stop()
        {
            var end = Made();
            _made = (end.Spans - _madeAtStart.Spans, end.Slots - _madeAtStart.Slots, end.Ids - _madeAtStart.Ids);
        }

        public void Print()
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pools over the steady part: arrays made spans/slots/ids {_made.Spans:N0}/{_made.Slots:N0}/{_made.Ids:N0}; free at the end {store.Spans.FreeBytes / 1048576.0:N1}/{store.Slots.FreeBytes / 1048576.0:N1}/{store.SpanIds.FreeBytes / 1048576.0:N1} MiB"));
        }

        private (long Spans, long Slots, long Ids) Made() => (store.Spans.Made, store.Slots.Made, store.SpanIds.Made);
    }

    /// <summary>The collections of the steady part, read after every export.</summary>
    private sealed class SteadyWindow
    {
        private readonly int[] _counts = new int[3];
        private readonly List<(int Generation, double PauseMs, long PromotedBytes)> _collections = [];
        private long _lastIndex;
        private TimeSpan _pausedAtStart;
        private long _allocatedAtStart;
        private long _spansSum;
        private long _notes;
        private TimeSpan _paused;
        private long _allocated;

        public bool Started { get; private set; }

        public void Start()
        {
            Started = true;
            for (var g = 0; g < 3; g++)
            {
                _counts[g] = GC.CollectionCount(g);
            }

            _lastIndex = GC.GetGCMemoryInfo(GCKind.Any).Index;
            _pausedAtStart = GC.GetTotalPauseDuration();
            _allocatedAtStart = GC.GetTotalAllocatedBytes();
        }

        public void Note(long spansHeld)
        {
            _spansSum += spansHeld;
            _notes++;
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            if (info.Index != _lastIndex)
            {
                // Collections between two reads are missed here but counted by CollectionCount and the total pause.
                _lastIndex = info.Index;
                var pause = info.PauseDurations.ToArray().Sum(p => p.TotalMilliseconds);
                _collections.Add((info.Generation, pause, info.PromotedBytes));
            }
        }

        public void Stop()
        {
            _paused = GC.GetTotalPauseDuration() - _pausedAtStart;
            _allocated = GC.GetTotalAllocatedBytes() - _allocatedAtStart;
            for (var g = 0; g < 3; g++)
            {
                _counts[g] = GC.CollectionCount(g) - _counts[g];
            }
        }

        public void Print(long simulatedSeconds)
        {
            var spans = _notes == 0 ? 0 : _spansSum / _notes;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"steady {simulatedSeconds} simulated s, {spans:N0} open spans held on average: collections gen 0/1/2 {_counts[0]}/{_counts[1]}/{_counts[2]} (counts include higher generations), paused {_paused.TotalMilliseconds:N0} ms in all, allocated {_allocated / 1048576.0:N0} MiB"));
            foreach (var generation in _collections.GroupBy(c => c.Generation).OrderBy(g => g.Key))
            {
                var promoted = generation.Select(c => c.PromotedBytes / 1048576.0).Order().ToList();
                var pauses = generation.Select(c => c.PauseMs).Order().ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  gen {generation.Key}: {generation.Count()} seen, pause median {pauses[pauses.Count / 2]:N1} ms (max {pauses[^1]:N1}), promoted median {promoted[promoted.Count / 2]:N1} MiB (max {promoted[^1]:N1})"));
            }
        }
    }
}
