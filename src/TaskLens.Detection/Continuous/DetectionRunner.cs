using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Goals;
using TaskLens.Core.Ingest;

namespace TaskLens.Detection.Continuous;

/// <summary>
/// Drives the series monitor step by step: at start it reads the configured history and lets the detectors learn it
/// (nothing is raised for the past); afterwards each step is judged once, when it is <see cref="DetectionOptions.Delay"/>
/// old, the spans this node acknowledged by its end are stored (the <paramref name="spool"/>'s frontier has passed its end
/// by <see cref="DetectionOptions.SpansArriveWithin"/>; waited for without a cap: the drain is oldest first, so nothing
/// later is stored either) and this node's goal runs of it are stored (the rollup's <paramref name="watermark"/> has
/// passed its end by as much). A step whose runs are still not stored <see cref="DetectionOptions.WaitForRunsAtMost"/>
/// after it was due (or after its spans were stored, if that was later) is judged on its service series only, its goal
/// series skipped (<see cref="StepsJudgedBeforeRunsStored"/>): judged without its runs, a goal would look as if it had
/// stopped finishing — our own lag paged as the goal's trouble. Each step judged has its buckets read, the monitor's
/// findings given sample failed runs and stored. A step that cannot be read is tried
/// again; a step judged but not stored is stored on the next try without being judged twice (the detectors saw it).
/// Steps missed while ClickHouse was away are judged when it returns, at most the last <see cref="DetectionOptions.History"/>
/// of them.
/// </summary>
internal sealed class DetectionRunner(
    IDetectionSeriesReader series,
    IGoalReader goals,
    IFindingSink sink,
    IAlertIntakeStore intake,
    DetectionOptions options,
    Runs.RunOutliers outliers,
    IGoalRunWatermark? watermark = null,
    ISpoolFrontier? spool = null)
{
    /// <summary>Runs of one goal judged for run-level outliers per step, at most.</summary>
    private const int OutlierRunsPerStep = 200;

    /// <summary>How far back the intake is read for our findings still firing at start.</summary>
    private static readonly TimeSpan OpenAlertsSince = TimeSpan.FromDays(30);

    private const int SampleRuns = 3;

    private readonly SeriesMonitor _monitor = new(options.ToMonitorSettings());
    private DateTimeOffset? _next;

    /// <summary>A judged step whose findings could not be stored yet: stored on the next try, not judged twice.</summary>
    private (DateTimeOffset Step, List<Finding> Findings)? _unstored;

    private long _judgedUntilTicks;
    private long _judgedBeforeRunsStored;

    /// <summary>When a step was last found waiting for its spans to leave the spool: the wait for its runs counts from there.</summary>
    private DateTimeOffset _spansWaitedUntil = DateTimeOffset.MinValue;

    public int SeriesCount => _monitor.SeriesCount;

    /// <summary>The end of the last step judged (or learnt at start); null before the history was read.</summary>
    public DateTimeOffset? JudgedUntil => Volatile.Read(ref _judgedUntilTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public long PointsOverLimit => _monitor.PointsOverLimit;

    /// <summary>Steps judged on their service series only, because the watermark had not passed them within <see cref="DetectionOptions.WaitForRunsAtMost"/>.</summary>
    public long StepsJudgedBeforeRunsStored => Interlocked.Read(ref _judgedBeforeRunsStored);

    /// <summary>The goal-run watermark this runner waits for (null without a goal rollup: judged by the delay alone).</summary>
    public DateTimeOffset? RunsStoredThrough => watermark?.StoredThrough;

    /// <summary>
    /// Learns the history before the first step due at <paramref name="now"/>, and takes back our findings the intake
    /// still has firing (raised before a restart) so they can end; returns the steps read.
    /// </summary>
    public async Task<int> CatchUpAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var until = Align(now - options.JudgedAfter);
        var steps = await FeedAsync(until - options.History, until, now, cancellationToken);
        var firing = await intake.StatesAsync(now - OpenAlertsSince, cancellationToken);
        _monitor.Reopen(firing.Where(s => s.Source == FindingFingerprint.Source && s.Status != AlertStateStatus.Resolved).Select(OpenFinding).OfType<Finding>());
        return steps;
    }

    /// <summary>Our raised finding back from its alert's intake state, its series read from the <see cref="FindingFingerprint"/>.</summary>
    private static Finding? OpenFinding(AlertState state)
    {
        if (!FindingFingerprint.TryParse(state.Fingerprint, out var fingerprint))
        {
            return null;
        }

        return new Finding
        {
            Id = state.Labels.GetValueOrDefault("alert_id", state.Fingerprint),
            Tenant = state.Tenant,
            Fingerprint = state.Fingerprint,
            Severity = state.Severity,
            Status = FindingStatus.Raised,
            Scope = fingerprint.Scope,
            Subject = fingerprint.Subject,
            Metric = fingerprint.Metric,
            Detector = fingerprint.Detector,
            Observed = 0, // what it saw is in its row in the alerts table; the end says what the series shows then
            Expected = 0,
            Lower = 0,
            Upper = 0,
            Score = 0,
            WindowStart = state.FirstSeen,
            WindowEnd = state.FirstSeen,
            RaisedAt = state.FirstSeen,
            Summary = state.Title,
        };
    }

    /// <summary>Judges every step due at <paramref name="now"/> not judged yet; returns the findings stored.</summary>
    public async Task<IReadOnlyList<Finding>> EvaluateDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = Align(now - options.JudgedAfter);
        var findings = new List<Finding>();
        _next ??= due;
        if (due - _next.Value > options.History)
        {
            _next = due - options.History; // away longer than the history: only its last part is judged
        }

        while (_next.Value < due)
        {
            var step = _next.Value;
            if (_unstored?.Step != step)
            {
                var stepEnd = step + options.Step;
                if (!SpansStored(stepEnd, now))
                {
                    _spansWaitedUntil = now;
                    break; // later steps wait behind it: steps are judged in order
                }

                var runsStored = RunsStored(stepEnd);
                if (!runsStored)
                {
                    var waitingSince = stepEnd + options.JudgedAfter > _spansWaitedUntil ? stepEnd + options.JudgedAfter : _spansWaitedUntil;
                    if (now < waitingSince + options.WaitForRunsAtMost)
                    {
                        break;
                    }

                    Interlocked.Increment(ref _judgedBeforeRunsStored);
                }

                var goalBuckets = await series.GoalBucketsAsync(step, step + options.Step, options.Step, cancellationToken);
                var serviceBuckets = await series.ServiceBucketsAsync(step, step + options.Step, options.Step, cancellationToken);
                var judgedStep = _monitor.Observe(step, goalBuckets, serviceBuckets, now, goalRunsStored: runsStored).ToList();
                if (runsStored)
                {
                    judgedStep.AddRange(await RunOutliersAsync(step, goalBuckets, now, cancellationToken));
                }
                _unstored = (step, judgedStep);
            }

            var judged = _unstored!.Value.Findings;
            for (var i = 0; i < judged.Count; i++)
            {
                judged[i] = await WithSamplesAsync(judged[i], cancellationToken);
            }

            await sink.WriteAsync(judged, cancellationToken);
            findings.AddRange(judged);
            _unstored = null;
            _next = step + options.Step;
            Volatile.Write(ref _judgedUntilTicks, _next.Value.UtcTicks);
        }

        return findings;
    }

    /// <summary>Whether this node's goal runs ending before <paramref name="stepEnd"/> are stored, as far as the watermark says.</summary>
    private bool RunsStored(DateTimeOffset stepEnd) => watermark is null || watermark.StoredThrough >= stepEnd + options.SpansArriveWithin;

    /// <summary>Whether the spans this node acknowledged by <paramref name="stepEnd"/> (and within the margin after) have left the spool.</summary>
    private bool SpansStored(DateTimeOffset stepEnd, DateTimeOffset now) => spool is null || spool.StoredBefore(now) >= stepEnd + options.SpansArriveWithin;

    /// <summary>
    /// The step's finished runs unlike their goal's usual runs (<see cref="Runs.RunOutliers"/>), as findings of kind
    /// <c>run-outlier</c> with status context: recorded and shown with the run, not paged — a run is one event, and what
    /// a runaway does to the goal's cost or fan-out series pages through the monitor.
    /// </summary>
    private async Task<List<Finding>> RunOutliersAsync(DateTimeOffset step, IReadOnlyList<GoalBucket> buckets, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var found = new List<Finding>();
        foreach (var bucket in buckets.Where(b => b.Figures.Completed + b.Figures.Failed > 0))
        {
            var goal = bucket.Figures.GoalName;
            var runs = await goals.RunsAsync(new GoalRunQuery(bucket.Tenant, goal, step, step + options.Step, null, 0, OutlierRunsPerStep), cancellationToken);
            foreach (var run in runs)
            {
                if ((await outliers.JudgeAsync(run, cancellationToken)).Outlier is not { } outlier)
                {
                    continue;
                }

                found.Add(new Finding
                {
                    Id = Guid.NewGuid().ToString("N"),
                    Tenant = bucket.Tenant,
                    Fingerprint = FindingFingerprint.Format(bucket.Tenant, SeriesKey.GoalScope, goal, "run:" + run.RunId, "run-outlier"),
                    Severity = AlertSeverity.Info,
                    Status = FindingStatus.Context,
                    Scope = SeriesKey.GoalScope,
                    Subject = goal,
                    Metric = "run",
                    Observed = outlier.Score,
                    Expected = outlier.Threshold,
                    Lower = 0,
                    Upper = outlier.Threshold,
                    Score = outlier.Score,
                    Detector = "run-outlier",
                    WindowStart = step,
                    WindowEnd = step + options.Step,
                    RaisedAt = now,
                    Summary = $"Goal '{goal}': run {run.RunId} is unlike the goal's usual runs: {outlier.Reason}.",
                    Reason = outlier.Reason,
                    SampleRunIds = [run.RunId],
                });
            }
        }

        return found;
    }

    private async Task<int> FeedAsync(DateTimeOffset from, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var goalBuckets = (await series.GoalBucketsAsync(from, until, options.Step, cancellationToken)).ToLookup(b => b.Figures.Time);
        var serviceBuckets = (await series.ServiceBucketsAsync(from, until, options.Step, cancellationToken)).ToLookup(b => b.Time);
        var steps = 0;
        for (var step = from; step < until; step += options.Step, steps++)
        {
            _monitor.Observe(step, goalBuckets[step].ToList(), serviceBuckets[step].ToList(), now, raise: false);
        }

        _next = until;
        Volatile.Write(ref _judgedUntilTicks, until.UtcTicks);
        return steps;
    }

    /// <summary>A goal finding names up to three failed runs of the goal in its window (run id = trace id).</summary>
    private async Task<Finding> WithSamplesAsync(Finding finding, CancellationToken cancellationToken)
    {
        if (finding.Scope != SeriesKey.GoalScope || finding.SampleRunIds.Count > 0)
        {
            return finding;
        }

        var failed = await goals.RunsAsync(
            new GoalRunQuery(finding.Tenant, finding.Subject, finding.WindowStart, finding.WindowEnd, GoalRunOutcome.Failed, 0, SampleRuns), cancellationToken);
        return finding with { SampleRunIds = failed.Select(r => r.RunId).ToList() };
    }

    private DateTimeOffset Align(DateTimeOffset t) =>
        DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds() / (long)options.Step.TotalSeconds * (long)options.Step.TotalSeconds);
}
