using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;
using TaskLens.Core.Ingest;
using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;
using TaskLens.UnitTests.Slack;

namespace TaskLens.UnitTests.Goals;

/// <summary>The sweeps that store finalized runs: a steady flow makes one insert per write interval, not one a sweep.</summary>
public sealed class GoalRollupServiceTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SweepAsync_RunsFinalizedWithinTheWriteInterval_WaitForOneInsert()
    {
        var sweeps = new Sweeps(TimeSpan.FromSeconds(5), runs: 8);

        // The first run is stored at once (nothing was written before it); the next five wait until five seconds have
        // passed since that insert, the last two for the next interval.
        await sweeps.RunAsync(8);
        Assert.Equal([1, 5], sweeps.Sink.Inserts.Select(runs => runs.Count));
        await sweeps.RunAsync(5);
        Assert.Equal([1, 5, 2], sweeps.Sink.Inserts.Select(runs => runs.Count));
        Assert.Equal(Enumerable.Range(1, 8).Select(t => $"0102030405060708{t:x16}"), sweeps.Sink.Inserts.SelectMany(runs => runs).Select(r => r.RunId));
    }

    [Fact]
    public async Task SweepAsync_WriteIntervalZero_StoresEverySweepThatFinalizesRuns()
    {
        var sweeps = new Sweeps(TimeSpan.Zero, runs: 3);

        await sweeps.RunAsync(3);

        Assert.Equal([1, 1, 1], sweeps.Sink.Inserts.Select(runs => runs.Count));
    }

    [Fact]
    public async Task SweepAsync_AFailedWrite_IsRetriedAtTheNextSweep()
    {
        var sweeps = new Sweeps(TimeSpan.FromSeconds(5), runs: 2);
        sweeps.Sink.FailuresLeft = 1;

        await sweeps.RunAsync(2);

        // The first sweep's insert was refused; the second, a second later, stores both runs rather than waiting the interval.
        Assert.Equal([2], sweeps.Sink.Inserts.Select(runs => runs.Count));
    }

    [Fact]
    public async Task StopAsync_RunsWaitingForTheWriteInterval_AreStored()
    {
        var sweeps = new Sweeps(TimeSpan.FromSeconds(5), runs: 3);
        await sweeps.RunAsync(3);
        Assert.Equal([1], sweeps.Sink.Inserts.Select(runs => runs.Count));

        await sweeps.Service.StopAsync(CancellationToken.None);

        Assert.Equal([1, 2], sweeps.Sink.Inserts.Select(runs => runs.Count));
    }

    [Fact]
    public async Task SweepAsync_ALateSpanOfARunWaitingToBeStored_ReloadsIt()
    {
        var sweeps = new Sweeps(TimeSpan.FromSeconds(5), runs: 2);
        await sweeps.RunAsync(2);
        Assert.Equal([1], sweeps.Sink.Inserts.Select(runs => runs.Count)); // the second run waits for the interval

        // Storage holds no row of it (NoStoredRuns), yet it is a goal run: its late span has its trace read back.
        sweeps.Rollup.Observe(new TraceBuilder().Http(2, 99, 10, 6, 7).Build(), sweeps.NowMs);
        await sweeps.RunAsync(1);

        Assert.Equal([new TraceId(0x0102030405060708, 2)], sweeps.Traces.Read);
        Assert.Equal((1, 0, 0), sweeps.Service.Reloads);
    }

    [Fact]
    public async Task StoredThrough_MovesToAQuietPeriodBeforeASweepThatStoredEveryRun()
    {
        var sweeps = new Sweeps(TimeSpan.Zero, runs: 2);
        Assert.Null(sweeps.Service.StoredThrough);

        var sweptAt = sweeps.Now;
        await sweeps.RunAsync(1);

        Assert.Equal(sweptAt - Quiet, sweeps.Service.StoredThrough);
    }

    [Fact]
    public async Task StoredThrough_RunsWaitingForTheWriteIntervalOrRefused_HoldItBack()
    {
        var sweeps = new Sweeps(TimeSpan.FromSeconds(5), runs: 3);
        sweeps.Sink.FailuresLeft = 1;
        var firstSweep = sweeps.Now;

        await sweeps.RunAsync(1); // the first run's insert is refused
        Assert.Null(sweeps.Service.StoredThrough);
        await sweeps.RunAsync(1); // stored with the second (a retry does not wait for the interval)
        Assert.Equal(firstSweep + TimeSpan.FromSeconds(1) - Quiet, sweeps.Service.StoredThrough);
        await sweeps.RunAsync(1); // the third waits for the interval: the watermark stays

        Assert.Equal(firstSweep + TimeSpan.FromSeconds(1) - Quiet, sweeps.Service.StoredThrough);
        Assert.Equal([2], sweeps.Sink.Inserts.Select(runs => runs.Count));
    }

    [Fact]
    public async Task StoredThrough_ManyTracesWithoutAGoalSpan_DoNotHoldItBack()
    {
        // 150 traces whose root span is upstream (a node that holds only child spans): after a quiet period each is
        // asked back in case its goal span was stored before a restart, more than one sweep reads (100).
        var sweeps = new Sweeps(TimeSpan.Zero, runs: 0);
        var batch = new TraceBuilder();
        for (ulong trace = 1; trace <= 150; trace++)
        {
            batch.Http(trace, 2, 1, 0, 5);
        }

        sweeps.Rollup.Observe(batch.Build(), sweeps.NowMs);
        sweeps.Advance(Quiet);
        await sweeps.RunAsync(1); // asks them back
        var secondSweep = sweeps.Now;
        await sweeps.RunAsync(1); // reads 100 of them; 50 are left for the next sweep

        Assert.Equal(secondSweep - Quiet, sweeps.Service.StoredThrough);
        Assert.Equal(100, sweeps.StoredRuns.Asked);
    }

    [Fact]
    public async Task StoredThrough_SpansStuckInTheSpool_HoldIt_UntilAQuietPeriodAfterTheyAreStored()
    {
        // ClickHouse is away: nothing acknowledged since the outage began is stored, so the rollup has not seen it.
        var spool = new FakeSpool();
        var sweeps = new Sweeps(TimeSpan.Zero, runs: 0, spool);
        var outageFrom = sweeps.Now;
        spool.Frontier = _ => outageFrom;
        await sweeps.RunAsync(120);
        Assert.Equal(outageFrom, sweeps.Service.StoredThrough);

        // The spool drains at once: those spans reach the rollup now, and their runs are due a quiet period later.
        var recoveredAt = sweeps.Now;
        spool.Frontier = now => now;
        await sweeps.RunAsync(30);
        Assert.Equal(outageFrom, sweeps.Service.StoredThrough);
        await sweeps.RunAsync(1);

        Assert.Equal(recoveredAt, sweeps.Service.StoredThrough);
    }

    [Fact]
    public async Task StoredThrough_AfterARestart_WaitsUntilTheRunsReadBackAreDue()
    {
        var sweeps = new Sweeps(TimeSpan.Zero, runs: 0);
        await sweeps.Service.RebuildAsync(CancellationToken.None);
        var rebuiltAt = sweeps.Now;

        await sweeps.RunAsync((int)Quiet.TotalSeconds); // the runs read back are due a quiet period after they arrived
        Assert.Null(sweeps.Service.StoredThrough);
        await sweeps.RunAsync(1);

        Assert.Equal(rebuiltAt, sweeps.Service.StoredThrough);
    }

    [Fact]
    public async Task SweepAsync_MaxRunsWaitingToWrite_StoresThemBeforeTheInterval()
    {
        var sweeps = new Sweeps(TimeSpan.FromSeconds(20), runs: 6, maxRunsWaiting: 2);

        await sweeps.RunAsync(6);

        // The first at once (nothing written before it), then two at a time instead of five after twenty seconds.
        Assert.Equal([1, 2, 2], sweeps.Sink.Inserts.Select(runs => runs.Count));
    }

    [Fact]
    public void Validate_MaxRunsWaitingToWriteBelowOne_IsRefused() =>
        Assert.Contains("TaskLens:Goals:MaxRunsWaitingToWrite must be at least 1.", new GoalOptions { MaxRunsWaitingToWrite = 0 }.Validate());

    [Fact]
    public void RunsStoredWithin_IsTheQuietPeriodAndTheEffectiveWriteInterval()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), new GoalOptions().RunsStoredWithin);
        Assert.Equal(TimeSpan.FromSeconds(35), new GoalOptions { WriteInterval = TimeSpan.FromSeconds(5) }.RunsStoredWithin);
    }

    [Fact]
    public void EffectiveWriteInterval_LongerThanTheQuietPeriod_IsTheQuietPeriod()
    {
        var options = new GoalOptions { QuietPeriod = TimeSpan.FromSeconds(1), WriteInterval = TimeSpan.FromSeconds(5) };

        Assert.Equal(TimeSpan.FromSeconds(1), options.EffectiveWriteInterval);
        Assert.Empty(options.Validate());
        Assert.Contains("TaskLens:Goals:WriteInterval must not be negative.", new GoalOptions { WriteInterval = TimeSpan.FromSeconds(-1) }.Validate());
    }

    /// <summary>
    /// One run a second for <c>runs</c> seconds, then the clock at the first one's end of quiet: from there each sweep
    /// (one a second) finalizes the next run.
    /// </summary>
    private sealed class Sweeps
    {
        private readonly ManualTime _time = new(DateTimeOffset.UnixEpoch.AddDays(20_000));

        public Sweeps(TimeSpan writeInterval, int runs, ISpoolFrontier? spool = null, int maxRunsWaiting = 5_000)
        {
            var options = new GoalOptions { QuietPeriod = Quiet, WriteInterval = writeInterval, CheckStoredSpans = false, MaxRunsWaitingToWrite = maxRunsWaiting };
            Rollup = new GoalRollup(options, ModelPriceTable.Parse("""{"models": {}}"""));
            Service = new GoalRollupService(Rollup, Sink, StoredRuns, Traces, new NoStoredSpans(), new NoLinks(), options, _time, NullLogger<GoalRollupService>.Instance, spool);
            for (ulong trace = 1; trace <= (ulong)runs; trace++)
            {
                Rollup.Observe(new TraceBuilder().Agent(trace, 10, 0, 0, 5, "triage").Build(), _time.GetUtcNow().ToUnixTimeMilliseconds());
                _time.Advance(TimeSpan.FromSeconds(1));
            }

            _time.Advance(Quiet - TimeSpan.FromSeconds(runs));
        }

        public RecordingSink Sink { get; } = new();

        public RecordingTraces Traces { get; } = new();

        public NoStoredRuns StoredRuns { get; } = new();

        public GoalRollup Rollup { get; }

        public GoalRollupService Service { get; }

        public DateTimeOffset Now => _time.GetUtcNow();

        public long NowMs => Now.ToUnixTimeMilliseconds();

        public void Advance(TimeSpan by) => _time.Advance(by);

        public async Task RunAsync(int sweeps)
        {
            for (var sweep = 0; sweep < sweeps; sweep++)
            {
                await Service.SweepAsync(CancellationToken.None);
                _time.Advance(TimeSpan.FromSeconds(1));
            }
        }
    }

    private sealed class FakeSpool : ISpoolFrontier
    {
        public Func<DateTimeOffset, DateTimeOffset?> Frontier { get; set; } = now => now;

        public DateTimeOffset? StoredBefore(DateTimeOffset now) => Frontier(now);
    }

    private sealed class RecordingSink : IGoalRunSink
    {
        public List<List<GoalRun>> Inserts { get; } = [];

        /// <summary>Inserts to refuse (as storage would) before recording any.</summary>
        public int FailuresLeft { get; set; }

        public Task WriteAsync(IReadOnlyList<GoalRun> runs, CancellationToken cancellationToken)
        {
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new InvalidOperationException("storage refused the insert");
            }

            Inserts.Add([.. runs.OrderBy(r => r.RunId, StringComparer.Ordinal)]);
            return Task.CompletedTask;
        }
    }

    private sealed class NoStoredRuns : IGoalReader
    {
        /// <summary>Runs asked about, none of them stored.</summary>
        public int Asked { get; private set; }

        public Task<IReadOnlySet<string>> StoredRunIdsAsync(string tenant, IReadOnlyCollection<string> runIds, CancellationToken cancellationToken)
        {
            Asked += runIds.Count;
            return Task.FromResult<IReadOnlySet<string>>(new HashSet<string>());
        }

        public Task<IReadOnlyList<GoalFigures>> ListGoalsAsync(string tenant, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<GoalFigures>> SeriesAsync(string tenant, string goalName, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<GoalRun>> RunsAsync(GoalRunQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GoalRun?> RunAsync(string tenant, string runId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<(string Tenant, string RunId)>> RunsToRebuildAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<(string Tenant, string RunId)>>([]);
    }

    /// <summary>Records the traces read back; storage holds none of their spans.</summary>
    private sealed class RecordingTraces : ITraceReader
    {
        public List<TraceId> Read { get; } = [];

        public Task<IReadOnlyList<StoredSpan>> GetTraceAsync(string tenant, TraceId traceId, int offset, int limit, CancellationToken cancellationToken)
        {
            Read.Add(traceId);
            return Task.FromResult<IReadOnlyList<StoredSpan>>([]);
        }

        public Task<long> CountSpansAsync(string tenant, TraceId traceId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ServiceSummary>> GetServicesAsync(string tenant, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ServiceLink>> ServiceLinksAsync(string tenant, DateTimeOffset since, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SampleTrace>> ErrorTracesAsync(
            string tenant, IReadOnlyCollection<string> services, DateTimeOffset since, DateTimeOffset until, int perService, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class NoStoredSpans : IStoredSpanCounter
    {
        public Task<IReadOnlyDictionary<TraceId, ulong>> CountAsync(string tenant, IReadOnlyCollection<TraceId> traceIds, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class NoLinks : IServiceLinks
    {
        public bool Linked(string tenant, string serviceA, string serviceB) => false;

        public WorkloadTopology Topology(string tenant) => new();

        public Task LoadAsync(string tenant, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Observe(string tenant, IReadOnlyList<(string Caller, string Callee)> calls)
        {
        }

        public void ObserveResources(SpanBatch batch)
        {
        }
    }
}
