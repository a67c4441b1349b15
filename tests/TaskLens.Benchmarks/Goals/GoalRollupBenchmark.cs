using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskLens.Benchmarks.Load;
using TaskLens.Core.Goals;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.Benchmarks.Goals;

/// <summary>
/// The goal rollup on one thread: spans per second from arrival to finalized run, for goals of two shapes, beside
/// the protobuf decode of the same spans measured in the same run (the ratio says what the rollup adds to ingest);
/// and the memory an open run holds, measured with the decoded batches already dropped, as in the server. Then the
/// load run's SDK-shaped traffic (<see cref="SdkTraffic"/>: traces of 20-200 spans over ten services): the sweep's CPU
/// and allocation per finalized run, and the memory held per open span of those runs.
/// </summary>
internal static class GoalRollupBenchmark
{
    private const int Rounds = 5;
    private const int MemoryRuns = 1_000;
    private const int MemorySpansPerRun = 50;

    /// <summary>SDK-shaped exports per round: 102,400 spans, about 930 traces.</summary>
    private const int SdkExports = 200;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string outputDirectory)
    {
        var shapes = new[] { (Goals: 200, SubTasks: 500), (Goals: 20, SubTasks: 5_000) }
            .Select(shape => Throughput(shape.Goals, shape.SubTasks))
            .ToList();
        var memory = MemoryPerOpenRun();
        var sdk = SdkShaped();
        var report = new GoalRollupReport(shapes, memory.BytesPerRun, memory.BytesPerSpan, MemoryRuns, MemorySpansPerRun, sdk);
        Directory.CreateDirectory(outputDirectory);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "goals.json"), JsonSerializer.Serialize(report, Indented));
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "goals.md"), report.ToMarkdown());
        Console.WriteLine(report.ToMarkdown());
        return shapes.All(s => s.RunsFinalized == s.Goals) && sdk.RunsFinalized == sdk.Traces ? 0 : 1;
    }

    /// <summary>Best of <see cref="Rounds"/>: decode every export, then observe every batch and finalize every run.</summary>
    private static GoalRollupShape Throughput(int goals, int subTasks)
    {
        var exports = Enumerable.Range(1, goals).Select(i => AgentExport.Create(subTasks + 1, i)).ToList();
        var batches = exports.Select(_ => new SpanBatch()).ToList();
        double bestDecode = double.MaxValue, bestRollup = double.MaxValue;
        var finalized = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < exports.Count; i++)
            {
                batches[i].Clear();
                SpanBatchDecoder.Decode(exports[i], batches[i]);
            }

            bestDecode = Math.Min(bestDecode, clock.Elapsed.TotalSeconds);
            var rollup = new GoalRollup(new GoalOptions(), ModelPriceTable.Parse("""{"models": {"gpt-4o": {"input": 2.5, "output": 10}}}"""));
            clock.Restart();
            foreach (var batch in batches)
            {
                rollup.Observe(batch, nowMs: 0);
            }

            finalized = rollup.Sweep(nowMs: 60_000).Count;
            bestRollup = Math.Min(bestRollup, clock.Elapsed.TotalSeconds);
        }

        var spans = goals * (subTasks + 1);
        return new GoalRollupShape(goals, subTasks, spans / bestRollup, spans / bestDecode, bestRollup / bestDecode, finalized);
    }

    /// <summary>Managed heap held by <see cref="MemoryRuns"/> open runs of <see cref="MemorySpansPerRun"/> spans each.</summary>
    private static (double BytesPerRun, double BytesPerSpan) MemoryPerOpenRun()
    {
        var exports = Enumerable.Range(1, MemoryRuns).Select(i => AgentExport.Create(MemorySpansPerRun, 10_000 + i)).ToList();
        var batch = new SpanBatch();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var rollup = new GoalRollup(new GoalOptions(), ModelPriceTable.Empty);
        foreach (var export in exports)
        {
            batch.Clear();
            SpanBatchDecoder.Decode(export, batch);
            rollup.Observe(batch, nowMs: 0);
        }

        batch.Clear();
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(rollup);
        return (held / (double)MemoryRuns, held / (double)(MemoryRuns * MemorySpansPerRun));
    }

    /// <summary>
    /// The load run's SDK-shaped traffic through the rollup, best of <see cref="Rounds"/>: observe, then one sweep that
    /// finalizes every run, timed apart and with the bytes the sweep allocated; and the managed memory held per span while
    /// every run is open (decoded batches dropped, after a full collection).
    /// </summary>
    private static GoalRollupSdkShape SdkShaped()
    {
        var traffic = new SdkTraffic(SdkExports, seed: 20, startUnixNanos: 1_795_000_000_000_000_000);
        var batches = Enumerable.Range(0, SdkExports).Select(i =>
        {
            var batch = new SpanBatch();
            SpanBatchDecoder.Decode(traffic.Create(i), batch);
            return batch;
        }).ToList();
        var spans = SdkExports * SdkTraffic.SpansPerExport;
        var prices = ModelPriceTable.Parse("""{"models": {"gpt-4o": {"input": 2.5, "output": 10}}}""");
        double bestObserve = double.MaxValue, bestSweep = double.MaxValue;
        long sweepBytes = long.MaxValue;
        var finalized = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var rollup = new GoalRollup(new GoalOptions(), prices);
            var clock = Stopwatch.StartNew();
            foreach (var batch in batches)
            {
                rollup.Observe(batch, nowMs: 0);
            }

            bestObserve = Math.Min(bestObserve, clock.Elapsed.TotalSeconds);
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            clock.Restart();
            finalized = rollup.Sweep(nowMs: 60_000).Count;
            bestSweep = Math.Min(bestSweep, clock.Elapsed.TotalSeconds);
            sweepBytes = Math.Min(sweepBytes, GC.GetAllocatedBytesForCurrentThread() - allocated);
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var held = new GoalRollup(new GoalOptions(), prices);
        foreach (var batch in batches)
        {
            held.Observe(batch, nowMs: 0);
        }

        // The batches stay alive through both measurements, so the difference is the rollup's alone.
        var bytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        var heldSpans = held.Stats.SpansInMemory;

        // Every run finalized and kept for late spans (KeepFinalizedFor): what a finalized run costs per span.
        held.Sweep(nowMs: 60_000);
        var finalizedBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(held);
        GC.KeepAlive(batches);
        return new GoalRollupSdkShape(
            traffic.TracesPerRound, spans, spans / (bestObserve + bestSweep), bestSweep * 1e6 / Math.Max(1, finalized),
            sweepBytes / (double)Math.Max(1, finalized), sweepBytes / (double)spans, bytes / (double)heldSpans, finalizedBytes / (double)heldSpans, finalized);
    }
}

/// <summary>One goal shape's throughput.</summary>
internal sealed record GoalRollupShape(
    int Goals, int SubTasks, double RollupSpansPerSecond, double DecodeSpansPerSecond, double RollupToDecode, int RunsFinalized);

/// <summary>The SDK-shaped traffic's figures: per-run sweep cost and memory per held span.</summary>
internal sealed record GoalRollupSdkShape(
    int Traces, int Spans, double RollupSpansPerSecond, double SweepMicrosecondsPerRun, double SweepBytesPerRun, double SweepBytesPerSpan,
    double BytesPerHeldSpan, double BytesPerFinalizedSpan, int RunsFinalized);

internal sealed record GoalRollupReport(
    IReadOnlyList<GoalRollupShape> Shapes, double BytesPerOpenRun, double BytesPerOpenSpan, int MemoryRuns, int MemorySpansPerRun, GoalRollupSdkShape Sdk)
{
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| goals × sub-tasks | rollup, one core (spans/s) | decode of the same spans (spans/s) | rollup ÷ decode (time) | runs finalized |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var s in Shapes)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.Goals:N0} × {s.SubTasks:N0} | {s.RollupSpansPerSecond:N0} | {s.DecodeSpansPerSecond:N0} | {s.RollupToDecode:0.00} | {s.RunsFinalized:N0} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Memory held per open run ({MemoryRuns:N0} runs of {MemorySpansPerRun} spans, managed heap after a full collection): {BytesPerOpenRun / 1024:N1} KiB per run, {BytesPerOpenSpan:N0} bytes per span ({System.Runtime.CompilerServices.Unsafe.SizeOf<RunSpan>()} of them the span's own facts).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"SDK-shaped traffic (the load run's: {Sdk.Spans:N0} spans, {Sdk.Traces:N0} traces of 20-200 spans over ten services): rollup {Sdk.RollupSpansPerSecond:N0} spans/s on one core; "
            + $"the sweep {Sdk.SweepMicrosecondsPerRun:N1} µs and {Sdk.SweepBytesPerRun:N0} bytes allocated per finalized run ({Sdk.SweepBytesPerSpan:N0} per span); "
            + $"{Sdk.BytesPerHeldSpan:N0} bytes of managed heap per held span with every run open, {Sdk.BytesPerFinalizedSpan:N1} once every run is finalized and kept for late spans; {Sdk.RunsFinalized:N0} runs finalized.");
        return text.ToString();
    }
}
