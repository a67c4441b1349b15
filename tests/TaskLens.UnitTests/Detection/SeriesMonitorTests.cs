using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Core.Goals;
using TaskLens.Detection.Continuous;

namespace TaskLens.UnitTests.Detection;

public sealed class SeriesMonitorTests
{
    private const int History = 400;
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    [Fact]
    public void Observe_CompletionRateCollapse_IsRaisedCritical_WithWhatWasExpected()
    {
        var monitor = Learned(new SeriesMonitor(MonitorSettings.Default));

        var alerts = monitor.Observe(At(History), [Goal("triage", completed: 2, failed: 18)], [Service("agents", 1000)], At(History + 2));

        var drop = Assert.Single(alerts, a => a.Metric == "completion_rate");
        Assert.Equal((FindingStatus.Raised, AlertSeverity.Critical, "goal", "triage", 0.1), (drop.Status, drop.Severity, drop.Scope, drop.Subject, drop.Observed));
        Assert.Equal(0.95, drop.Expected, 9);
        Assert.True(drop.Lower > 0.1, "the band excludes the observed rate");
        Assert.Equal((At(History), At(History + 1)), (drop.WindowStart, drop.WindowEnd));
        Assert.StartsWith("Goal 'triage': completion rate dropped to 10% (expected 95%, normal ", drop.Summary, StringComparison.Ordinal);
        Assert.Contains("in 2026-11-20 06:40–06:41 UTC; robust-seasonal.", drop.Summary, StringComparison.Ordinal);
        Assert.Equal("tasklens|default|goal|triage|completion_rate|robust-seasonal", drop.Fingerprint);
        Assert.Contains(alerts, a => a.Metric == "failure_rate" && a.Status == FindingStatus.Raised);
        Assert.DoesNotContain(alerts, a => a.Scope == "service"); // request rates looked normal: the drop is raised anyway
    }

    [Fact]
    public void Observe_OneTenantWithManyServices_CannotTakeEveryPlace_FromAnother()
    {
        var monitor = new SeriesMonitor(MonitorSettings.Default with { MaxSeries = 100, MaxSeriesPerTenant = 40 });
        var flood = Enumerable.Range(0, 200).Select(i => Service("svc" + i, 100) with { Tenant = "noisy" }).ToList();

        monitor.Observe(At(0), [], [.. flood, Service("checkout", 100) with { Tenant = "quiet" }], At(2), raise: false);

        // Each service is three series (rate, errors, duration): the noisy tenant stops at its 40, the quiet one is watched.
        Assert.Equal(40 + 3, monitor.SeriesCount);
        Assert.True(monitor.PointsOverLimit > 0);
    }

    [Fact]
    public void Observe_RequestSpike_WhileGoalsFinishNormally_IsContextNotRaised()
    {
        var monitor = Learned(new SeriesMonitor(MonitorSettings.Default));

        var alerts = monitor.Observe(At(History), [Goal("triage", completed: 19, failed: 1)], [Service("agents", 12_000)], At(History + 2));

        var spike = Assert.Single(alerts);
        Assert.Equal(("service", "agents", "request_rate", FindingStatus.Context, AlertSeverity.Info), (spike.Scope, spike.Subject, spike.Metric, spike.Status, spike.Severity));
        Assert.Contains("'triage' (95% completed, p95 2 s)", spike.Reason, StringComparison.Ordinal);
        Assert.Contains("Likely agents bursting, not a fault.", spike.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_RequestSpike_WhenGoalsFailInTheSameStep_IsRaised()
    {
        var monitor = Learned(new SeriesMonitor(MonitorSettings.Default));

        var alerts = monitor.Observe(At(History), [Goal("triage", completed: 2, failed: 18)], [Service("agents", 12_000)], At(History + 2));

        var spike = Assert.Single(alerts, a => a.Scope == "service");
        Assert.Equal((FindingStatus.Raised, AlertSeverity.Warning, ""), (spike.Status, spike.Severity, spike.Reason));
    }

    [Fact]
    public void Observe_GoalStopsFinishingRuns_IsRaisedAsAFall_InRunsFinished()
    {
        var monitor = Learned(new SeriesMonitor(MonitorSettings.Default));

        var alerts = monitor.Observe(At(History), [], [Service("agents", 1000)], At(History + 2));

        var stopped = Assert.Single(alerts);
        Assert.Equal(("finished", 0.0, AlertSeverity.Critical), (stopped.Metric, stopped.Observed, stopped.Severity));
        Assert.StartsWith("Goal 'triage': runs finished per step dropped to 0 (expected 20,", stopped.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_GoalThatRunsNowAndThen_IsNotABurnEachTimeItRuns_TenTimesItsUsualIs()
    {
        // One run every 20 minutes costing about 0.05: cost per step is mostly zero, and each run is a "spike" to the
        // learned detector; only a value beyond the recent range is raised.
        var monitor = new SeriesMonitor(MonitorSettings.Default);
        var raised = new List<Finding>();
        for (var i = 0; i < 1200; i++)
        {
            var runs = i % 20 == 0 ? 1 : 0;
            var cost = i == 1180 ? 0.5 : runs * (0.05 + (0.001 * (i % 7)));
            var buckets = runs == 0 && i != 1180 ? [] : new[] { Goal("nightly", completed: 1, failed: 0) with { Figures = Goal("nightly", 1, 0).Figures with { Cost = cost } } };
            raised.AddRange(monitor.Observe(At(i), buckets, [], At(i)));
        }

        var burn = Assert.Single(raised, a => a.Metric == "cost" && a.Status == FindingStatus.Raised);
        Assert.Equal((0.5, At(1180)), (burn.Observed, burn.WindowStart));
    }

    [Fact]
    public void Observe_History_IsLearntWithoutRaising()
    {
        var monitor = new SeriesMonitor(MonitorSettings.Default);

        var raised = Enumerable.Range(0, History)
            .SelectMany(i => monitor.Observe(At(i), [Goal("triage", completed: i == 350 ? 0 : 19, failed: i == 350 ? 20 : 1)], [], At(i), raise: false))
            .ToList();

        Assert.Empty(raised);
        Assert.Equal(SeriesMetrics.Goal.Count, monitor.SeriesCount);
    }

    [Fact]
    public void Observe_LimitsOnCostFanOutAndCompletionRate_AreRaisedOnceWhenCrossed()
    {
        var limits = new GoalLimit { Goal = "*", MaxCostPerHour = 1.0, MaxFanOut = 1000, MinCompletionRate = 0.9, MinRuns = 5, Severity = AlertSeverity.Warning };
        var monitor = new SeriesMonitor(MonitorSettings.Default with { Limits = [limits] });
        var raised = new List<(int Step, Finding Finding)>();
        for (var i = 0; i < 120; i++)
        {
            // Cost 0.01 a step, then 0.1 from step 60: the trailing 60 steps pass 1.0 at step 64 (55 × 0.01 + 5 × 0.1) and stay over.
            var figures = Goal("triage", completed: 19, failed: 1).Figures with
            {
                Cost = i < 60 ? 0.01 : 0.1,
                FanOutP99 = i == 30 ? 5000 : 40,
                Completed = i == 40 ? 5 : i == 41 ? 1 : 19,
                Failed = i == 40 ? 5 : i == 41 ? 3 : 1,
            };
            raised.AddRange(monitor.Observe(At(i), [new GoalBucket("default", figures)], [], At(i)).Select(a => (i, a)));
        }

        var resolved = raised.Where(r => r.Finding.Status == FindingStatus.Resolved).ToList();
        raised = raised.Where(r => r.Finding.Status == FindingStatus.Raised).ToList();
        Assert.Equal(
            [(30, "rule:max-fan-out", 5000.0), (40, "rule:min-completion-rate", 0.5), (64, "rule:cost-per-hour", 1.05)],
            raised.Select(r => (r.Step, r.Finding.Detector, Math.Round(r.Finding.Observed, 6))).ToList());
        Assert.Equal([(31, "rule:max-fan-out"), (42, "rule:min-completion-rate")], resolved.Select(r => (r.Step, r.Finding.Detector)).ToList());
        Assert.Equal(raised[0].Finding.Fingerprint, resolved[0].Finding.Fingerprint);
        Assert.Equal("Goal 'triage': back within the configured limit; raised 2026-11-20 00:30 UTC.", resolved[0].Finding.Summary);
        Assert.Equal(1, monitor.OpenAlerts); // the cost stays over its limit
        Assert.All(raised, r => Assert.Equal(AlertSeverity.Warning, r.Finding.Severity));
        Assert.Equal("Goal 'triage': completion rate fell to 50%, past the configured minimum of 90% (2026-11-20 00:40–00:41 UTC).", raised[1].Finding.Summary);
    }

    [Fact]
    public void Observe_RaisedAlert_IsResolvedOnceTheSeriesIsCalm_AndAWorseDropIsRaisedBeforeRearming()
    {
        var monitor = Learned(new SeriesMonitor(MonitorSettings.Default));
        var drop = Assert.Single(monitor.Observe(At(History), [Goal("triage", completed: 4, failed: 16)], [Service("agents", 1000)], At(History)), a => a.Metric == "completion_rate");

        var after = new List<(int Step, Finding Finding)>();
        for (var i = History + 1; i < History + 40; i++)
        {
            var failed = i % 3 == 0 ? 2 : i % 3 == 1 ? 1 : 0;
            // The second drop is deeper than the first (0% after 20%): a repeat of the same depth (within a calibration bin,
            // about 9%) is less news once the series has shown it.
            var goal = i == History + 30 ? Goal("triage", completed: 0, failed: 20) : Goal("triage", completed: 20 - failed, failed: failed);
            after.AddRange(monitor.Observe(At(i), [goal], [Service("agents", 1000)], At(i)).Select(a => (i, a)));
        }

        var end = Assert.Single(after, r => r.Finding.Status == FindingStatus.Resolved && r.Finding.Metric == "completion_rate");
        Assert.Equal((History + 15, drop.Fingerprint), (end.Step, end.Finding.Fingerprint));
        Assert.StartsWith("Goal 'triage': completion rate back within its normal range for 15 steps (now ", end.Finding.Summary, StringComparison.Ordinal);
        Assert.EndsWith("; raised 2026-11-20 06:40 UTC.", end.Finding.Summary, StringComparison.Ordinal);
        var again = Assert.Single(after, r => r.Finding.Status == FindingStatus.Raised && r.Finding.Metric == "completion_rate");
        Assert.Equal(History + 30, again.Step); // within the hold-off, before re-arming: raised because it is worse than the first drop
    }

    [Fact]
    public void Observe_SpikeAtTheStartOfASlowClimb_IsRaisedOnce_TheLaterDriftIsContext()
    {
        // p95 duration ~2 s (σ 50 ms) for 2,500 steps, then a spike of 12σ and a climb of 0.25 ms a step from there. Before
        // the fold: the spike raised and resolved, the series re-armed after 144 calm steps, and the climb raised again as a
        // drift 218 steps after the spike — a second page for one change.
        var monitor = new SeriesMonitor(MonitorSettings.Default);
        var random = new Random(7);
        var findings = new List<(int Step, Finding Finding)>();
        for (var i = 0; i < 3200; i++)
        {
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var p95 = 2000 + (50 * gaussian) + (i == 2500 ? 600 : 0) + (i >= 2500 ? 0.25 * (i - 2500) : 0);
            var goal = Goal("triage", completed: 20, failed: 0) with { Figures = Goal("triage", 20, 0).Figures with { DurationP95Ms = p95 } };
            findings.AddRange(monitor.Observe(At(i), [goal], [], At(i), raise: i >= 2000).Select(f => (i, f)));
        }

        var raised = Assert.Single(findings, f => f.Finding.Status == FindingStatus.Raised);
        Assert.Equal((2500, "duration_p95_ms", "robust-seasonal"), (raised.Step, raised.Finding.Metric, raised.Finding.Detector));
        var drifts = findings.Where(f => f.Finding.Detector == "drift").ToList();
        Assert.NotEmpty(drifts);
        Assert.Equal(2718, drifts[0].Step);
        Assert.All(drifts, drift =>
        {
            Assert.Equal((FindingStatus.Context, AlertSeverity.Info), (drift.Finding.Status, drift.Finding.Severity));
            Assert.StartsWith("Part of the change raised on this series at 2026-11-21 17:40 UTC", drift.Finding.Reason, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Observe_GoalRunsNotStored_GoalSeriesSkipTheStep_ServicesAreJudged()
    {
        var monitor = Learned(new SeriesMonitor(MonitorSettings.Default));

        // No runs in the bucket (not stored yet) and a service that stopped: only the service is judged.
        var alerts = monitor.Observe(At(History), [], [Service("agents", 0)], At(History + 2), goalRunsStored: false);

        var stopped = Assert.Single(alerts);
        Assert.Equal(("service", "request_rate"), (stopped.Scope, stopped.Metric));
        Assert.DoesNotContain(monitor.Observe(At(History + 1), [Goal("triage", completed: 19, failed: 1)], [Service("agents", 1000)], At(History + 3)),
            a => a.Scope == "goal");
    }

    [Fact]
    public void Reopen_AlertsStillFiringFromBeforeARestart_EndWhenTheirSeriesIsCalm()
    {
        var monitor = Learned(new SeriesMonitor(MonitorSettings.Default));
        var before = new Finding
        {
            Id = "a0", Tenant = "default", Fingerprint = "tasklens|default|goal|triage|completion_rate|cusum", Severity = AlertSeverity.Critical,
            Status = FindingStatus.Raised, Scope = "goal", Subject = "triage", Metric = "completion_rate", Observed = 0, Expected = 0, Lower = 0, Upper = 0,
            Score = 0, Detector = "cusum", WindowStart = At(100), WindowEnd = At(100), RaisedAt = At(100), Summary = "Goal 'triage': completion rate dropped",
        };
        monitor.Reopen([before]);

        var alerts = monitor.Observe(At(History), [Goal("triage", completed: 19, failed: 1)], [Service("agents", 1000)], At(History));

        var end = Assert.Single(alerts);
        Assert.Equal((FindingStatus.Resolved, before.Fingerprint), (end.Status, end.Fingerprint));
        Assert.Equal(0, monitor.OpenAlerts);
    }

    [Fact]
    public void Observe_GoalGoneLongerThanForgetAfter_IsNoLongerWatched()
    {
        var monitor = new SeriesMonitor(MonitorSettings.Default with { ForgetAfter = TimeSpan.FromMinutes(10) });
        monitor.Observe(At(0), [Goal("triage", 19, 1)], [Service("agents", 100)], At(0));
        Assert.Equal(SeriesMetrics.Goal.Count + SeriesMetrics.Service.Count, monitor.SeriesCount);

        for (var i = 1; i <= 11; i++)
        {
            monitor.Observe(At(i), [], [], At(i));
        }

        Assert.Equal(0, monitor.SeriesCount);
    }

    /// <summary>History steps of a steady goal (19 or 20 of 20 runs completed, p95 2 s) and a steady service (~1,000 spans a step).</summary>
    private static SeriesMonitor Learned(SeriesMonitor monitor)
    {
        for (var i = 0; i < History; i++)
        {
            var failed = i % 3 == 0 ? 2 : i % 3 == 1 ? 1 : 0;
            monitor.Observe(At(i), [Goal("triage", completed: 20 - failed, failed: failed)], [Service("agents", 1000 + (10 * ((i % 3) - 1)))], At(i), raise: false);
        }

        return monitor;
    }

    private static GoalBucket Goal(string name, long completed, long failed) =>
        new("default", new GoalFigures { GoalName = name, Time = T0, Completed = completed, Failed = failed, DurationP95Ms = 2000, Cost = 0.02, FanOutP99 = 40, InputTokens = 1000, OutputTokens = 200 });

    private static ServiceBucket Service(string name, long requests) => new("default", name, T0, requests, 0, 120);

    private static DateTimeOffset At(int step) => T0 + (step * Step);
}
