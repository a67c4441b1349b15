using BenchmarkDotNet.Attributes;
using TaskLens.Core.Goals;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Spans;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.Benchmarks;

/// <summary>
/// The stages of ingest that run in TaskLens's own code, on SDK-shaped exports (<see cref="SdkExport"/>), each
/// reported per span (<c>OperationsPerInvoke</c> is the span count): the validating decode at ingest; the drainer's
/// decode of a run of spooled exports straight into RowBinary rows, alone and with the goal rollup's facts read in the
/// same pass (and observed); the spool-off path (each export decoded on its own into rows, with the goal facts); and
/// the decode into one batch of strings, its RowBinary encode and the goal rollup's observe of the batch (the spool-off
/// path before it decoded into rows; batches built by hand still take it). Run alone: <c>dotnet run -c Release --project tests/TaskLens.Benchmarks -- --filter '*SdkPipeline*'</c>.
/// </summary>
[MemoryDiagnoser]
public class SdkPipelineBenchmarks
{
    /// <summary>About one drainer insert's worth: 40 exports of 512 spans.</summary>
    private const int Exports = 40;
    private const int TotalSpans = Exports * SdkExport.SpansPerExport;

    /// <summary>Simulated seconds before <see cref="RollupObserveAndSweepReused"/> is measured: 2M finalized ids fill in ~100.</summary>
    private const int SteadyWarmUpSeconds = 150;

    private readonly SpanBatch _batch = new();
    // Segmented, as the server encodes inserts (SpanInserter); the pool keeps every segment between iterations.
    private readonly RowBinaryWriter _rows = new(new RowBinaryBufferPool(retainBytes: 64L << 20));
    private readonly Stages.EncodedRowsSink _encoded = new();
    private readonly ModelPriceTable _prices = ModelPriceTable.Parse("""{"models": {"gpt-4o": {"input": 2.5, "output": 10}}}""");
    private readonly SpanBatch _trafficBatch = new();
    private readonly SimulatedClock _clock = new();
    private byte[][] _exports = [];
    private byte[][] _trafficExports = [];
    private GoalRollup _steady = null!;
    private GoalRollupSpanRowSink _steadySink = null!;

    [GlobalSetup]
    public void Setup()
    {
        _exports = [.. Enumerable.Range(1, Exports).Select(SdkExport.Create)];
        var traffic = new Load.SdkTraffic(Exports, seed: 13, startUnixNanos: 1_795_000_000_000_000_000);
        _trafficExports = [.. Enumerable.Range(0, Exports).Select(i => traffic.Create(i))];
        Decode();
        _trafficBatch.Clear();
        foreach (var export in _trafficExports)
        {
            SpanBatchDecoder.Decode(export, _trafficBatch);
        }

        if (_batch.SpanCount != TotalSpans || _trafficBatch.SpanCount != TotalSpans)
        {
            throw new InvalidOperationException($"expected {TotalSpans} spans, decoded {_batch.SpanCount} and {_trafficBatch.SpanCount}");
        }
    }

    /// <summary>Into steady state before BenchmarkDotNet's warm-up: past the quiet period and the finalized ids' bound.</summary>
    [GlobalSetup(Targets = [nameof(RollupObserveAndSweepReused), nameof(DrainTrafficWithGoalFactsReused)])]
    public void SetupSteady()
    {
        Setup();
        _steady = new GoalRollup(new GoalOptions(), _prices);
        _steadySink = new GoalRollupSpanRowSink(_encoded, _steady, _clock, e => throw e);
        for (var i = 0; i < SteadyWarmUpSeconds; i++)
        {
            RollupObserveAndSweepReused();
        }
    }

    [Benchmark(OperationsPerInvoke = TotalSpans)]
    public int ValidateAtIngest()
    {
        var accepted = 0;
        foreach (var export in _exports)
        {
            accepted += OtlpTraceDecoder.Validate(export, out _).Accepted;
        }

        return accepted;
    }

    [Benchmark(OperationsPerInvoke = TotalSpans)]
    public int DrainToRows() => Drain(_encoded, _exports, "default");

    /// <summary>With a new rollup each operation, so every pooled array it holds is made afresh; see <see cref="DrainTrafficWithGoalFactsReused"/>.</summary>
    [Benchmark(OperationsPerInvoke = TotalSpans)]
    public int DrainToRowsWithGoalFacts() => Drain(new GoalRollupSpanRowSink(_encoded, new GoalRollup(new GoalOptions(), _prices), TimeProvider.System, e => throw e), _exports, "default");

    /// <summary>The drain of the load run's exports (<see cref="Load.SdkTraffic"/>): the base that <see cref="DrainTrafficWithGoalFactsReused"/> adds the goal facts to.</summary>
    [Benchmark(OperationsPerInvoke = TotalSpans)]
    public int DrainTrafficToRows() => Drain(_encoded, _trafficExports, "default");

    /// <summary>
    /// The goal facts as a running server pays for them: the drain of <see cref="DrainTrafficToRows"/> with the facts
    /// read in its pass, the rollup's hold of them once stored, and the sweep that finalizes the runs gone quiet — one
    /// rollup for every operation, each a simulated second, as in <see cref="RollupObserveAndSweepReused"/> (same
    /// warm-up, same rollup). Less <see cref="DrainTrafficToRows"/>, this is what the goal rollup costs a span.
    /// </summary>
    [Benchmark(OperationsPerInvoke = TotalSpans)]
    public int DrainTrafficWithGoalFactsReused()
    {
        var tenant = NextSecond();
        Drain(_steadySink, _trafficExports, tenant);
        return _steady.Sweep(_clock.NowMs).Count;
    }

    /// <summary>
    /// The spool-off path as ingest runs it now: each export decoded on its own straight into a run of rows (counted
    /// for admission's service-name bound) with the goal rollup's facts read in the same pass, observed once stored.
    /// Before, that path was <see cref="Decode"/> + <see cref="EncodeRowBinary"/> + <see cref="RollupObserve"/>.
    /// </summary>
    [Benchmark(OperationsPerInvoke = TotalSpans)]
    public int SpoolOffToRows()
    {
        var sink = new GoalRollupSpanRowSink(_encoded, new GoalRollup(new GoalOptions(), _prices), TimeProvider.System, e => throw e);
        var accepted = 0;
        foreach (var export in _exports)
        {
            using var run = sink.Begin("default");
            accepted += OtlpTraceDecoder.DecodeRows(export, new Ingest.Receivers.AdmittedSpanRows(run)).Accepted;
            run.StoreAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        return accepted;
    }

    [Benchmark(OperationsPerInvoke = TotalSpans)]
    public int Decode()
    {
        _batch.Clear();
        foreach (var export in _exports)
        {
            SpanBatchDecoder.Decode(export, _batch);
        }

        return _batch.SpanCount;
    }

    [Benchmark(OperationsPerInvoke = TotalSpans)]
    public int EncodeRowBinary()
    {
        _rows.Reset();
        SpanBatchRows.Encode(_batch, _rows, 1_795_000_000);
        return _rows.Length;
    }

    [Benchmark(OperationsPerInvoke = TotalSpans)]
    public int RollupObserve()
    {
        var rollup = new GoalRollup(new GoalOptions(), _prices);
        rollup.Observe(_batch, nowMs: 0);
        return (int)rollup.Stats.SpansInMemory;
    }

    /// <summary>
    /// The rollup as a running server holds it: one rollup for every operation, each a simulated second in which a batch
    /// of new traces arrives (a tenant of its own, so the same decoded spans are new runs) and the sweep finalizes the runs
    /// that went quiet 30 s before. The load run's exports (<see cref="Load.SdkTraffic"/>: every trace has its root, so
    /// every run is a goal run and finalizes a quiet period after it arrives; <see cref="SdkExport"/>'s traces have one
    /// root an export, and its rootless runs, held for the hour of <see cref="GoalOptions.AbandonAfter"/>, kept the
    /// rollup at its caps). Past the first half-minute runs open and finalize at the same rate, the pools are warm and
    /// finalized runs' ids are let go at their bound, as at the load run's rate (20k spans/s). Unlike
    /// <see cref="RollupObserve"/>, whose new rollup makes every pooled array afresh, this prices the held spans in
    /// steady state; the sweep's finalization of as many spans as were observed is inside the operation.
    /// </summary>
    [Benchmark(OperationsPerInvoke = TotalSpans)]
    public int RollupObserveAndSweepReused()
    {
        _trafficBatch.Tenant = NextSecond();
        _steady.Observe(_trafficBatch, _clock.NowMs);
        return _steady.Sweep(_clock.NowMs).Count;
    }

    /// <summary>Moves the simulated clock a second on; the second's tenant, so the same spans make new runs.</summary>
    private string NextSecond()
    {
        _clock.NowMs += 1_000;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"t{_clock.NowMs}");
    }

    private int Drain(ISpanRowSink sink, byte[][] exports, string tenant)
    {
        using var run = sink.Begin(tenant);
        foreach (var export in exports)
        {
            OtlpTraceDecoder.DecodeRows(export, run);
        }

        run.StoreAsync(CancellationToken.None).GetAwaiter().GetResult();
        return _encoded.Length;
    }

    /// <summary>The steady benchmarks' clock, a simulated second an operation, which the rollup's sink reads.</summary>
    private sealed class SimulatedClock : TimeProvider
    {
        public long NowMs { get; set; }

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);
    }
}
