using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;
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
        var time = new ManualTime(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var options = new GoalOptions { QuietPeriod = Quiet, WriteInterval = TimeSpan.FromSeconds(5), CheckStoredSpans = false };
        var rollup = new GoalRollup(options, ModelPriceTable.Parse("""{"models": {}}"""));
        var sink = new RecordingSink();
        var service = new GoalRollupService(rollup, sink, new NoStoredRuns(), new NoTraces(), new NoStoredSpans(), new NoLinks(), options, time, NullLogger<GoalRollupService>.Instance);

        // One run a second, each final a quiet period after it arrived.
        for (ulong trace = 1; trace <= 8; trace++)
        {
            rollup.Observe(new TraceBuilder().Agent(trace, 10, 0, 0, 5, "triage").Build(), time.GetUtcNow().ToUnixTimeMilliseconds());
            time.Advance(TimeSpan.FromSeconds(1));
        }

        time.Advance(Quiet - TimeSpan.FromSeconds(8));
        for (var sweep = 0; sweep < 8; sweep++)
        {
            await service.SweepAsync(CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // The first run is stored at once (nothing was written before it); the next five wait until five seconds have
        // passed since that insert, the last two for the next interval.
        Assert.Equal([1, 5], sink.Inserts.Select(runs => runs.Count));
        for (var sweep = 0; sweep < 5; sweep++)
        {
            await service.SweepAsync(CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([1, 5, 2], sink.Inserts.Select(runs => runs.Count));
        Assert.Equal(Enumerable.Range(1, 8).Select(t => $"0102030405060708{t:x16}"), sink.Inserts.SelectMany(runs => runs).Select(r => r.RunId));
    }

    [Fact]
    public async Task SweepAsync_WriteIntervalZero_StoresEverySweepThatFinalizesRuns()
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var options = new GoalOptions { QuietPeriod = Quiet, WriteInterval = TimeSpan.Zero, CheckStoredSpans = false };
        var rollup = new GoalRollup(options, ModelPriceTable.Parse("""{"models": {}}"""));
        var sink = new RecordingSink();
        var service = new GoalRollupService(rollup, sink, new NoStoredRuns(), new NoTraces(), new NoStoredSpans(), new NoLinks(), options, time, NullLogger<GoalRollupService>.Instance);
        for (ulong trace = 1; trace <= 3; trace++)
        {
            rollup.Observe(new TraceBuilder().Agent(trace, 10, 0, 0, 5, "triage").Build(), time.GetUtcNow().ToUnixTimeMilliseconds());
            time.Advance(TimeSpan.FromSeconds(1));
        }

        time.Advance(Quiet - TimeSpan.FromSeconds(3));
        for (var sweep = 0; sweep < 3; sweep++)
        {
            await service.SweepAsync(CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([1, 1, 1], sink.Inserts.Select(runs => runs.Count));
    }

    [Fact]
    public void EffectiveWriteInterval_LongerThanTheQuietPeriod_IsTheQuietPeriod()
    {
        var options = new GoalOptions { QuietPeriod = TimeSpan.FromSeconds(1), WriteInterval = TimeSpan.FromSeconds(5) };

        Assert.Equal(TimeSpan.FromSeconds(1), options.EffectiveWriteInterval);
        Assert.Empty(options.Validate());
        Assert.Contains("TaskLens:Goals:WriteInterval must not be negative.", new GoalOptions { WriteInterval = TimeSpan.FromSeconds(-1) }.Validate());
    }

    private sealed class RecordingSink : IGoalRunSink
    {
        public List<List<GoalRun>> Inserts { get; } = [];

        public Task WriteAsync(IReadOnlyList<GoalRun> runs, CancellationToken cancellationToken)
        {
            Inserts.Add([.. runs.OrderBy(r => r.RunId, StringComparer.Ordinal)]);
            return Task.CompletedTask;
        }
    }

    private sealed class NoStoredRuns : IGoalReader
    {
        public Task<IReadOnlySet<string>> StoredRunIdsAsync(string tenant, IReadOnlyCollection<string> runIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlySet<string>>(new HashSet<string>());

        public Task<IReadOnlyList<GoalFigures>> ListGoalsAsync(string tenant, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<GoalFigures>> SeriesAsync(string tenant, string goalName, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<GoalRun>> RunsAsync(GoalRunQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GoalRun?> RunAsync(string tenant, string runId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<(string Tenant, string RunId)>> RunsToRebuildAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class NoTraces : ITraceReader
    {
        public Task<IReadOnlyList<StoredSpan>> GetTraceAsync(string tenant, TraceId traceId, int offset, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

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
