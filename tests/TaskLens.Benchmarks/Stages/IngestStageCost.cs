using System.Diagnostics;
using System.Globalization;
using System.Text;
using TaskLens.Core;
using TaskLens.Core.Goals;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Spans;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.Benchmarks.Stages;

/// <summary>
/// CPU time per span of each stage of ingest that runs in TaskLens's own code, on SDK-shaped exports
/// (<see cref="SdkExport"/>): process CPU (user + system, GC included) over many repetitions, best of five rounds.
/// CPU time, not wall time, so a busy machine inflates it less than it does a stopwatch. Run alone:
/// <c>TaskLens.Benchmarks stages OUTPUT_DIR</c>.
/// </summary>
internal static class IngestStageCost
{
    private const int Exports = 40;
    private const int Rounds = 5;
    private const int Repetitions = 10;
    private const int Spans = Exports * SdkExport.SpansPerExport;

    public static async Task<int> RunAsync(string outputDirectory)
    {
        var exports = Enumerable.Range(1, Exports).Select(SdkExport.Create).ToArray();
        var memories = exports.Select(e => (ReadOnlyMemory<byte>)e).ToArray();
        var arrayless = exports.Select(e => (ReadOnlyMemory<byte>)new ArraylessMemory(e).Memory).ToArray();
        var batch = new SpanBatch();
        var rows = new RowBinaryWriter(new RowBinaryBufferPool(retainBytes: 64L << 20)); // segmented, as the server encodes inserts
        var encoded = new EncodedRowsSink();
        var prices = ModelPriceTable.Parse("""{"models": {"gpt-4o": {"input": 2.5, "output": 10}}}""");
        var options = new GoalOptions();

        void Decode()
        {
            batch.Clear();
            foreach (var export in exports)
            {
                SpanBatchDecoder.Decode(export, batch);
            }
        }

        Decode();
        var stages = new List<(string Stage, double MicrosPerSpan)>
        {
            ("validate at ingest (count-only decode)", Measure(() =>
            {
                foreach (var export in exports)
                {
                    OtlpTraceDecoder.Validate(export, out _);
                }
            })),
            ("drain: decode a run straight into RowBinary rows", Measure(() => Drain(encoded, memories))),
            ("goal rollup: facts read in the drain's pass, observe, finalize", Measure(() =>
            {
                var rollup = new GoalRollup(options, prices);
                Drain(new GoalRollupSpanRowSink(encoded, rollup, TimeProvider.System, e => throw e), memories);
                rollup.Sweep(3_600_000);
            }) - Measure(() => Drain(encoded, memories))),
        };

        // Not in the total: the spool-off path (each export decoded on its own into a run of rows, with the goal facts
        // read in the same pass and observed; before the rows step, the batch path below plus the rollup's observe),
        // and the batch path (hand-built batches; what the drain took before it decoded straight into rows).
        var spoolOff = new List<(string Stage, double MicrosPerSpan)>
        {
            ("spool-off: each export decoded into rows, goal facts read and observed", Measure(() =>
            {
                var sink = new GoalRollupSpanRowSink(encoded, new GoalRollup(options, prices), TimeProvider.System, e => throw e);
                foreach (var export in memories)
                {
                    using var run = sink.Begin(Tenants.Default);
                    OtlpTraceDecoder.DecodeRows(export, run);
                    run.StoreAsync(CancellationToken.None).GetAwaiter().GetResult();
                }
            })),
            ("decode a run into one batch of strings", Measure(Decode)),
            ("encode the batch as RowBinary", Measure(() =>
            {
                rows.Reset();
                SpanBatchRows.Encode(batch, rows, 1_795_000_000);
            })),
            ("drain, text copied into the parts first (as before the one copy)", Measure(() => Drain(encoded, arrayless))),
            ("drain, one copy (measured again beside the line above)", Measure(() => Drain(encoded, memories))),
        };

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"SDK-shaped exports: {Exports} × {SdkExport.SpansPerExport} spans, {exports.Sum(e => e.Length) / Spans:N0} protobuf bytes a span.");
        text.AppendLine();
        text.AppendLine("| stage | CPU-µs per span |");
        text.AppendLine("| --- | ---: |");
        foreach (var (stage, micros) in stages)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {stage} | {micros:0.000} |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"| total | {stages.Sum(s => s.MicrosPerSpan):0.000} |");
        text.AppendLine();
        text.AppendLine("| spool-off path and batch path (not in the total) | CPU-µs per span |");
        text.AppendLine("| --- | ---: |");
        foreach (var (stage, micros) in spoolOff)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {stage} | {micros:0.000} |");
        }

        Directory.CreateDirectory(outputDirectory);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "stages.md"), text.ToString());
        Console.WriteLine(text);
        return 0;
    }

    /// <summary>The drainer's work for one run of <paramref name="exports"/>, ClickHouse left out.</summary>
    private static void Drain(ISpanRowSink sink, ReadOnlyMemory<byte>[] exports)
    {
        using var run = sink.Begin(Tenants.Default);
        foreach (var export in exports)
        {
            OtlpTraceDecoder.DecodeRows(export, run);
        }

        run.StoreAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Best of <see cref="Rounds"/> rounds of <see cref="Repetitions"/> runs of <paramref name="stage"/>, in CPU-µs per span.</summary>
    private static double Measure(Action stage)
    {
        stage();
        var best = double.MaxValue;
        var process = Process.GetCurrentProcess();
        for (var round = 0; round < Rounds; round++)
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            for (var i = 0; i < Repetitions; i++)
            {
                stage();
            }

            process.Refresh();
            best = Math.Min(best, (process.TotalProcessorTime - before).TotalMicroseconds / (Repetitions * (double)Spans));
        }

        return best;
    }
}
