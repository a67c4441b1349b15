using Microsoft.Extensions.Configuration;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Goals;
using TaskLens.Core.Ingest;
using TaskLens.Detection.Continuous;
using TaskLens.Detection.Runs;

namespace TaskLens.UnitTests.Detection;

public sealed class DetectionRunnerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan JudgedAfter = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task EvaluateDue_StepWhoseAlertsCouldNotBeStored_IsStoredNextTime_NotJudgedAgain()
    {
        var failing = T0.AddMinutes(400);
        var sink = new FlakySink(failuresLeft: 1);
        var runner = new DetectionRunner(new SteadyGoal(failing), new NoRuns(), sink, new NoOpenAlerts(), DetectionOptions.From(new ConfigurationBuilder().Build(), TimeSpan.FromSeconds(30)), new RunOutliers(new NoRuns()));
        await runner.CatchUpAsync(failing + JudgedAfter, CancellationToken.None);

        await Assert.ThrowsAsync<IOException>(() => runner.EvaluateDueAsync(failing.AddMinutes(1) + JudgedAfter, CancellationToken.None));
        var stored = await runner.EvaluateDueAsync(failing.AddMinutes(1) + JudgedAfter, CancellationToken.None);

        var drop = Assert.Single(stored, a => a.Metric == "completion_rate");
        Assert.Equal(2, sink.Attempted.Count(a => a.Id == drop.Id)); // the same alert offered twice, not a second judgement
        Assert.Equal(stored.Select(a => a.Id), sink.Stored.Select(a => a.Id));
    }

    [Fact]
    public async Task EvaluateDue_RunsStoredAfterTheDelay_StepJudgedOnceTheyAreStored_AndSeesThem()
    {
        var failing = T0.AddMinutes(400);
        var reader = new SteadyGoal(failing) { FailingMinuteStored = false };
        var watermark = new FakeWatermark();
        var runner = NewRunner(reader, watermark);
        await runner.CatchUpAsync(failing + JudgedAfter, CancellationToken.None);
        var stepEnd = failing.AddMinutes(1);

        // The rollup is behind: its runs of the failing minute are not stored when the delay has passed.
        watermark.StoredThrough = failing.AddSeconds(40);
        var beforeStored = await runner.EvaluateDueAsync(stepEnd + JudgedAfter, CancellationToken.None);
        reader.FailingMinuteStored = true;
        watermark.StoredThrough = stepEnd.AddSeconds(20);
        var afterStored = await runner.EvaluateDueAsync(stepEnd + JudgedAfter + TimeSpan.FromSeconds(40), CancellationToken.None);

        Assert.Empty(beforeStored);
        Assert.Single(afterStored, a => a.Metric == "completion_rate");
        Assert.Equal([failing], reader.StepsRead);
    }

    [Fact]
    public async Task EvaluateDue_WatermarkStuck_StepsJudgedAfterTheCap_OnServicesOnly_InOrder_EachOnce_AndCounted()
    {
        var failing = T0.AddMinutes(400);
        var reader = new SteadyGoal(failing);
        var watermark = new FakeWatermark { StoredThrough = failing.AddSeconds(-10) };
        var runner = NewRunner(reader, watermark);
        await runner.CatchUpAsync(failing + JudgedAfter, CancellationToken.None);
        var cap = new DetectionOptions().WaitForRunsAtMost;
        var stepEnd = failing.AddMinutes(1);

        var waiting = await runner.EvaluateDueAsync(stepEnd + JudgedAfter + cap - TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Empty(waiting);
        Assert.Empty(reader.StepsRead);

        // Past the cap a step is judged without its runs (as far as this node knows), on its service series only: its goal
        // series skip it, so the failing minute (whose runs this reader has) is not judged either. Counted; each later
        // step waits for its own cap, so they are judged in order, one a step, each once.
        var judged = await runner.EvaluateDueAsync(stepEnd + JudgedAfter + cap, CancellationToken.None);
        await runner.EvaluateDueAsync(stepEnd + JudgedAfter + cap + TimeSpan.FromSeconds(5), CancellationToken.None);
        await runner.EvaluateDueAsync(stepEnd.AddMinutes(1) + JudgedAfter + cap, CancellationToken.None);
        await runner.EvaluateDueAsync(stepEnd.AddMinutes(2) + JudgedAfter + cap, CancellationToken.None);

        Assert.DoesNotContain(judged, a => a.Scope == "goal");
        Assert.Equal([failing, failing.AddMinutes(1), failing.AddMinutes(2)], reader.StepsRead);
        Assert.Equal(3, runner.StepsJudgedBeforeRunsStored);
        Assert.Equal(failing.AddMinutes(3), runner.JudgedUntil);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EvaluateDue_ClickHouseAwayTenMinutes_StepsWaitForTheSpool_ThenJudgedOnceWithTheirRuns(bool spoolKnown)
    {
        // ClickHouse is away from minute 400 for ten minutes: the spans of those minutes sit in the spool, and the rollup,
        // seeing nothing, keeps sweeping: its own watermark moves on (a quiet period behind now). Without the spool's
        // frontier (as before session 13) the first step is judged with no runs: a false "runs finished dropped to 0".
        var outage = T0.AddMinutes(400);
        var reader = new SteadyGoal(outage.AddDays(1)) { MissingFrom = outage };
        var watermark = new FakeWatermark();
        var spool = new FakeSpool { Frontier = outage };
        var runner = new DetectionRunner(reader, new NoRuns(), new FlakySink(failuresLeft: 0), new NoOpenAlerts(),
            DetectionOptions.From(new ConfigurationBuilder().Build(), TimeSpan.FromSeconds(30)), new RunOutliers(new NoRuns()), watermark, spoolKnown ? spool : null);
        await runner.CatchUpAsync(outage + JudgedAfter, CancellationToken.None);

        var findings = new List<Finding>();
        var recovered = outage.AddMinutes(10);
        for (var now = outage + JudgedAfter; now < recovered.AddMinutes(3); now += TimeSpan.FromSeconds(5))
        {
            if (now >= recovered && reader.MissingFrom is not null)
            {
                reader.MissingFrom = null; // the spool drained: every step's spans and runs are stored
            }

            spool.Frontier = now < recovered ? outage : now;
            watermark.StoredThrough = now - TimeSpan.FromSeconds(31);
            findings.AddRange(await runner.EvaluateDueAsync(now, CancellationToken.None));
        }

        if (!spoolKnown)
        {
            Assert.Contains(findings, f => f.Metric == "finished" && f.Status == FindingStatus.Raised);
            return;
        }

        Assert.DoesNotContain(findings, f => f.Status == FindingStatus.Raised);
        var judged = Enumerable.Range(0, 12).Select(m => outage.AddMinutes(m)).ToList();
        Assert.Equal(judged, reader.StepsRead); // each once, in order, and none before its spans were stored
        Assert.Equal(0, runner.StepsJudgedBeforeRunsStored);
    }

    [Fact]
    public async Task EvaluateDue_NoGoalRollup_JudgedByTheDelayAlone()
    {
        var failing = T0.AddMinutes(400);
        var runner = new DetectionRunner(new SteadyGoal(failing), new NoRuns(), new FlakySink(0), new NoOpenAlerts(), DetectionOptions.From(new ConfigurationBuilder().Build(), TimeSpan.FromSeconds(30)), new RunOutliers(new NoRuns()));
        await runner.CatchUpAsync(failing + JudgedAfter, CancellationToken.None);

        var judged = await runner.EvaluateDueAsync(failing.AddMinutes(1) + JudgedAfter, CancellationToken.None);

        Assert.Single(judged, a => a.Metric == "completion_rate");
    }

    [Fact]
    public void IntakeEvents_RaisedAsTriggers_ResolvedAsResolves_ContextNotAtAll()
    {
        var raised = new Finding
        {
            Id = "a1", Tenant = "default", Fingerprint = "tasklens|default|goal|triage|completion_rate|cusum", Severity = AlertSeverity.Critical,
            Status = FindingStatus.Raised, Scope = "goal", Subject = "triage", Metric = "completion_rate", Observed = 0.1, Expected = 0.95, Lower = 0.8,
            Upper = 1, Score = 61, Detector = "cusum", WindowStart = T0, WindowEnd = T0.AddMinutes(1), RaisedAt = T0.AddMinutes(2),
            Summary = "Goal 'triage': completion rate dropped to 10%",
        };

        var resolved = raised with { Id = "a3", Status = FindingStatus.Resolved, RaisedAt = T0.AddMinutes(20), Summary = "Goal 'triage': completion rate back within its normal range" };
        var events = DetectionService.IntakeEvents([raised, raised with { Id = "a2", Status = FindingStatus.Context, Scope = "service", Subject = "agents" }, resolved]);

        Assert.Equal(2, events.Count);
        var e = events[0];
        Assert.Equal(("tasklens", raised.Fingerprint, Core.Alerts.Intake.AlertAction.Trigger, raised.Summary, AlertSeverity.Critical, T0.AddMinutes(2)),
            (e.Source, e.Fingerprint, e.Action, e.Title, e.Severity, e.ReceivedAt));
        Assert.Equal(new Dictionary<string, string> { ["goal"] = "triage", ["metric"] = "completion_rate", ["detector"] = "cusum", ["alert_id"] = "a1" }, e.Labels);
        var end = events[1];
        Assert.Equal((raised.Fingerprint, Core.Alerts.Intake.AlertAction.Resolve, "", resolved.Summary, 0, T0.AddMinutes(20)),
            (end.Fingerprint, end.Action, end.Title, end.Message, end.Labels.Count, end.ReceivedAt));
    }

    [Fact]
    public void Options_FromConfiguration_BindLimits_AndResolveTheDelay()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TaskLens:Detection:Limits:0:Goal"] = "*",
            ["TaskLens:Detection:Limits:0:MinCompletionRate"] = "0.8",
            ["TaskLens:Detection:Limits:1:Goal"] = "research",
            ["TaskLens:Detection:Limits:1:MaxCostPerHour"] = "25",
            ["TaskLens:Detection:Limits:1:Severity"] = "Warning",
        }).Build();

        var options = DetectionOptions.From(configuration, TimeSpan.FromSeconds(30));

        Assert.Empty(options.Validate());
        Assert.Equal(TimeSpan.FromSeconds(45), options.JudgedAfter);
        Assert.Equal(("*", 0.8, AlertSeverity.Critical), (options.Limits[0].Goal, options.Limits[0].MinCompletionRate, options.Limits[0].Severity));
        Assert.Equal(("research", 25.0, AlertSeverity.Warning), (options.Limits[1].Goal, options.Limits[1].MaxCostPerHour, options.Limits[1].Severity));
    }

    [Theory]
    [InlineData("Step", "00:01:30", "Step must be whole minutes")]
    [InlineData("Delay", "00:00:20", "must be longer than TaskLens:Goals:QuietPeriod")]
    [InlineData("WaitForRunsAtMost", "-00:00:01", "WaitForRunsAtMost must not be negative")]
    [InlineData("Limits:0:MinCompletionRate", "80", "MinCompletionRate is a share, 0 to 1")]
    public void Options_Invalid_SayWhat(string key, string value, string problem)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TaskLens:Detection:" + key] = value,
            ["TaskLens:Detection:Limits:0:Goal"] = "*",
        }).Build();

        var errors = DetectionOptions.From(configuration, TimeSpan.FromSeconds(30)).Validate();

        Assert.Contains(errors, e => e.Contains(problem, StringComparison.Ordinal));
    }

    private static DetectionRunner NewRunner(IDetectionSeriesReader reader, FakeWatermark watermark) =>
        new(reader, new NoRuns(), new FlakySink(failuresLeft: 0), new NoOpenAlerts(), DetectionOptions.From(new ConfigurationBuilder().Build(), TimeSpan.FromSeconds(30)), new RunOutliers(new NoRuns()), watermark);

    private sealed class FakeWatermark : IGoalRunWatermark
    {
        public DateTimeOffset? StoredThrough { get; set; }
    }

    private sealed class FakeSpool : ISpoolFrontier
    {
        public DateTimeOffset? Frontier { get; set; }

        public DateTimeOffset? StoredBefore(DateTimeOffset now) => Frontier;
    }

    /// <summary>One goal finishing 20 runs a minute (0 to 2 failing), and all 20 failing in the given minute.</summary>
    private sealed class SteadyGoal(DateTimeOffset failingMinute) : IDetectionSeriesReader
    {
        /// <summary>Whether the failing minute's runs are stored yet (absent from its bucket until they are).</summary>
        public bool FailingMinuteStored { get; set; } = true;

        /// <summary>Steps from this one on read as having no data (not stored yet), until set back to null.</summary>
        public DateTimeOffset? MissingFrom { get; set; }

        /// <summary>The single steps read after the history (one-step reads), in order.</summary>
        public List<DateTimeOffset> StepsRead { get; } = [];

        public Task<IReadOnlyList<GoalBucket>> GoalBucketsAsync(DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken)
        {
            if (until - since == bucket)
            {
                StepsRead.Add(since);
            }

            var buckets = new List<GoalBucket>();
            for (var t = since; t < until; t += bucket)
            {
                if ((t == failingMinute && !FailingMinuteStored) || t >= MissingFrom)
                {
                    continue;
                }

                var failed = t == failingMinute ? 20 : (int)Math.Abs((t - T0).TotalMinutes % 3);
                buckets.Add(new GoalBucket("default", new GoalFigures { GoalName = "triage", Time = t, Completed = 20 - failed, Failed = failed, DurationP95Ms = 1000 }));
            }

            return Task.FromResult<IReadOnlyList<GoalBucket>>(buckets);
        }

        public Task<IReadOnlyList<ServiceBucket>> ServiceBucketsAsync(DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ServiceBucket>>([]);
    }

    private sealed class FlakySink(int failuresLeft) : IFindingSink
    {
        public List<Finding> Attempted { get; } = [];
        public List<Finding> Stored { get; } = [];

        public Task WriteAsync(IReadOnlyList<Finding> alerts, CancellationToken cancellationToken)
        {
            Attempted.AddRange(alerts);
            if (alerts.Count > 0 && failuresLeft-- > 0)
            {
                throw new IOException("ClickHouse is away");
            }

            Stored.AddRange(alerts);
            return Task.CompletedTask;
        }
    }

    private sealed class NoOpenAlerts : IAlertIntakeStore
    {
        public Task<IReadOnlyList<AlertState>> StatesAsync(DateTimeOffset since, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AlertState>>([]);

        public Task WriteAsync(IReadOnlyList<AlertEvent> events, IReadOnlyList<AlertState> states, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<AlertState>> FindAsync(string tenant, IReadOnlyCollection<string> alertIds, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<AlertState>> ListAsync(string tenant, AlertStateStatus? status, string? source, int limit, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class NoRuns : IGoalReader
    {
        public Task<IReadOnlyList<GoalRun>> RunsAsync(GoalRunQuery query, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<GoalRun>>([]);

        public Task<IReadOnlyList<GoalFigures>> ListGoalsAsync(string tenant, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<GoalFigures>> SeriesAsync(string tenant, string goalName, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GoalRun?> RunAsync(string tenant, string runId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlySet<string>> StoredRunIdsAsync(string tenant, IReadOnlyCollection<string> runIds, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<(string Tenant, string RunId)>> RunsToRebuildAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
