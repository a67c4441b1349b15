using TaskLens.Core.Goals;
using TaskLens.Core.Telemetry;

namespace TaskLens.UnitTests.Goals;

/// <summary>The rollup's default bounds against the sustained rate of real agent traffic (issue 20).</summary>
public sealed class GoalRollupSustainedTests
{
    private const int SpansPerSecond = 50_000;
    private const int SpansPerExport = 512;
    private const int TracesInFlight = 12;

    [Fact]
    public void Observe_FiftyThousandSpansPerSecondFor45Seconds_WithDefaults_FinalizesNoRunEarly()
    {
        var rollup = new GoalRollup(new GoalOptions(), ModelPriceTable.Empty);
        var traffic = new SdkTraffic();
        var batch = new SpanBatch();
        var finalized = 0;
        var exports = 45 * SpansPerSecond / SpansPerExport;
        long nextSweep = 1_000;
        for (var export = 0; export < exports; export++)
        {
            var nowMs = (long)export * SpansPerExport * 1_000 / SpansPerSecond;
            while (nextSweep <= nowMs)
            {
                finalized += rollup.Sweep(nextSweep).Count;
                nextSweep += 1_000;
            }

            batch.Clear();
            traffic.Fill(batch, SpansPerExport);
            rollup.Observe(batch, nowMs);
        }

        // Runs finished in the first 15 s are final after their quiet period; none was cut short on the way.
        Assert.True(finalized > 1_000, $"{finalized} runs finalized");
        Assert.Equal(0L, rollup.Stats.RunsFinalizedEarly);
        Assert.True(rollup.Stats.SpansInMemory > 1_000_000, $"{rollup.Stats.SpansInMemory} spans held");
    }

    /// <summary>Traces of 20-200 spans, twelve at a time interleaved across exports; each trace's root span ends last.</summary>
    private sealed class SdkTraffic
    {
        private readonly Random _random = new(20);
        private readonly (ulong Trace, int Left, ulong NextSpan)[] _traces = new (ulong, int, ulong)[TracesInFlight];
        private ulong _nextTrace = 1;

        public SdkTraffic()
        {
            for (var i = 0; i < _traces.Length; i++)
            {
                _traces[i] = NewTrace();
            }
        }

        public void Fill(SpanBatch batch, int spans)
        {
            batch.AddResource(new ResourceRecord(default, 0, "", "agent"));
            for (var i = 0; i < spans; i++)
            {
                var slot = _random.Next(_traces.Length);
                var (trace, left, next) = _traces[slot];
                var root = left == 1;
                batch.AddSpan(new SpanRecord
                {
                    TraceIdHigh = trace,
                    TraceIdLow = ~trace,
                    SpanId = root ? 1UL : next,
                    ParentSpanId = root ? 0UL : 1UL,
                    Name = root ? "invoke_agent" : "chat",
                    TraceState = "",
                    StatusMessage = "",
                    StartTimeUnixNano = 1_000,
                    EndTimeUnixNano = 2_000,
                });
                _traces[slot] = root ? NewTrace() : (trace, left - 1, next + 1);
            }
        }

        private (ulong, int, ulong) NewTrace() => (_nextTrace++, _random.Next(20, 201), 2);
    }
}
