using System.Globalization;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Core.Goals;

namespace TaskLens.Detection.Continuous;

/// <summary>
/// Watches every goal and service series of every tenant: one combined detector per series, fed one step at a time in
/// time order, plus the configured goal limits; turns what they find into findings. Agent-aware: a rise in a service's
/// request rate or error rate while the same tenant's goals keep finishing at their normal rate and duration is
/// recorded as context, not raised; any trouble in the goals themselves is always raised. A raised finding stays open
/// until its series is calm for <see cref="MonitorSettings.RecoverAfterSteps"/> steps (or back within its limit, or no
/// longer watched); then a <see cref="FindingStatus.Resolved"/> finding with the same fingerprint ends it, and the series
/// may raise again at once. Not thread-safe: one caller feeds it, step by step.
/// </summary>
public sealed class SeriesMonitor(MonitorSettings settings)
{
    private readonly Dictionary<SeriesKey, CombinedDetector> _detectors = [];
    private readonly Dictionary<SeriesKey, EpisodeFold> _episodes = [];
    private readonly Dictionary<string, int> _seriesOfTenant = new(StringComparer.Ordinal);
    private readonly Dictionary<SeriesKey, double> _lastValue = [];
    private readonly Dictionary<SeriesKey, Dictionary<string, Finding>> _open = [];
    private readonly HashSet<(string Tenant, string Goal, string Rule)> _backWithinLimit = [];
    private readonly Dictionary<(string Tenant, string Scope, string Subject), DateTimeOffset> _lastSeen = [];
    private readonly Dictionary<(string Tenant, string Goal), Queue<(DateTimeOffset Time, double Cost)>> _recentCost = [];
    private readonly HashSet<(string Tenant, string Goal, string Rule)> _violating = [];
    private readonly Dictionary<string, DateTimeOffset> _goalTroubleAt = new(StringComparer.Ordinal);

    /// <summary>Raised findings not resolved yet (for logs and tests).</summary>
    public int OpenAlerts => _open.Values.Sum(o => o.Count);

    /// <summary>
    /// Takes back findings raised before a restart that are still open (firing in the intake), so they end like the
    /// others when their series is calm again, or their goal back within its limit.
    /// </summary>
    public void Reopen(IEnumerable<Finding> raised)
    {
        ArgumentNullException.ThrowIfNull(raised);
        foreach (var finding in raised)
        {
            var key = new SeriesKey(finding.Tenant, finding.Scope, finding.Subject, finding.Metric);
            if (!_open.TryGetValue(key, out var open))
            {
                _open[key] = open = new Dictionary<string, Finding>(StringComparer.Ordinal);
            }

            open[finding.Fingerprint] = finding;
            if (finding.Detector.StartsWith("rule:", StringComparison.Ordinal))
            {
                _violating.Add((finding.Tenant, finding.Subject, finding.Detector));
            }
        }
    }

    /// <summary>Series with a detector (for logs and tests).</summary>
    public int SeriesCount => _detectors.Count;

    /// <summary>
    /// The limits the series' detector judged its last point against (<see cref="CombinedDetector.LastBand"/>); NaN
    /// while the series is not watched or has too little history.
    /// </summary>
    public (double Expected, double Lower, double Upper) BandOf(SeriesKey key) =>
        _detectors.TryGetValue(key, out var detector) ? detector.LastBand : (double.NaN, double.NaN, double.NaN);

    /// <summary>
    /// Points not judged because <see cref="MonitorSettings.MaxSeries"/> series, or the tenant's
    /// <see cref="MonitorSettings.MaxSeriesPerTenant"/>, were already watched.
    /// </summary>
    public long PointsOverLimit { get; private set; }

    /// <summary>
    /// Feeds the step starting at <paramref name="stepStart"/>: the buckets of every goal and service that had data in
    /// it (absent ones read as zero runs). With <paramref name="raise"/> false (catching up on history at start) the
    /// detectors learn and limits are tracked, but nothing is returned. With <paramref name="goalRunsStored"/> false (the
    /// step's goal runs are not all stored yet) the goal series and limits skip the step — neither learnt nor judged, as a
    /// gap — and the goals given only tell a service burst from agents' work.
    /// </summary>
    public IReadOnlyList<Finding> Observe(
        DateTimeOffset stepStart, IReadOnlyList<GoalBucket> goals, IReadOnlyList<ServiceBucket> services, DateTimeOffset now, bool raise = true,
        bool goalRunsStored = true)
    {
        ArgumentNullException.ThrowIfNull(goals);
        ArgumentNullException.ThrowIfNull(services);
        var findings = new List<Finding>();
        var stepEnd = stepStart + settings.Step;
        _backWithinLimit.Clear();

        var presentGoals = goals.ToDictionary(g => (g.Tenant, g.Figures.GoalName));
        foreach (var subject in goalRunsStored ? Subjects(SeriesKey.GoalScope, presentGoals.Keys, stepStart) : [])
        {
            presentGoals.TryGetValue(subject, out var bucket);
            foreach (var metric in SeriesMetrics.Goal)
            {
                var value = bucket is null ? metric.WhenAbsent : metric.Read(bucket.Figures);
                if (Feed(new SeriesKey(subject.Tenant, SeriesKey.GoalScope, subject.Subject, metric.Name), metric.Kind, metric.WhenAbsent is not null, stepStart, value) is ({ } anomaly, var foldedInto))
                {
                    if (SeriesMetrics.GoalHealth.Contains(metric.Name))
                    {
                        _goalTroubleAt[subject.Tenant] = stepStart;
                    }

                    findings.Add(Folded(Learned(subject.Tenant, SeriesKey.GoalScope, subject.Subject, metric.Name, metric.Words, metric.Unit, anomaly, stepStart, stepEnd, now, GoalSeverity(metric.Name)), foldedInto));
                }
            }

            if (bucket is not null)
            {
                findings.AddRange(CheckLimits(subject.Tenant, bucket.Figures, stepStart, stepEnd, now));
            }
        }

        var presentServices = services.ToDictionary(s => (s.Tenant, s.Service));
        foreach (var subject in Subjects(SeriesKey.ServiceScope, presentServices.Keys, stepStart))
        {
            presentServices.TryGetValue(subject, out var bucket);
            foreach (var metric in SeriesMetrics.Service)
            {
                var value = bucket is null ? metric.WhenAbsent : metric.Read(bucket);
                if (Feed(new SeriesKey(subject.Tenant, SeriesKey.ServiceScope, subject.Subject, metric.Name), metric.Kind, metric.WhenAbsent is not null, stepStart, value) is ({ } anomaly, var foldedInto))
                {
                    var finding = Learned(subject.Tenant, SeriesKey.ServiceScope, subject.Subject, metric.Name, metric.Words, metric.Unit, anomaly, stepStart, stepEnd, now, AlertSeverity.Warning);
                    findings.Add(Folded(AgentAware(finding, goals, stepStart), foldedInto));
                }
            }
        }

        if (!raise)
        {
            return [];
        }

        foreach (var finding in findings.Where(a => a.Status == FindingStatus.Raised))
        {
            var key = new SeriesKey(finding.Tenant, finding.Scope, finding.Subject, finding.Metric);
            if (!_open.TryGetValue(key, out var open))
            {
                _open[key] = open = new Dictionary<string, Finding>(StringComparer.Ordinal);
            }

            open[finding.Fingerprint] = finding;
        }

        findings.AddRange(Recoveries(stepStart, stepEnd, now));
        return findings;
    }

    /// <summary>Ends the open findings whose series is calm again, back within its limit, or no longer watched.</summary>
    private List<Finding> Recoveries(DateTimeOffset stepStart, DateTimeOffset stepEnd, DateTimeOffset now)
    {
        var resolved = new List<Finding>();
        foreach (var (key, open) in _open.ToList())
        {
            var raised = open.Values.First();
            string? why = null;
            if (raised.Detector.StartsWith("rule:", StringComparison.Ordinal))
            {
                why = _backWithinLimit.Contains((key.Tenant, key.Subject, raised.Detector)) ? "back within the configured limit" : null;
            }
            else if (!_detectors.TryGetValue(key, out var detector))
            {
                why = string.Create(CultureInfo.InvariantCulture, $"no data for {settings.ForgetAfter.TotalHours:0.#} h: no longer watched");
            }
            else if (detector.TryRecover(settings.RecoverAfterSteps))
            {
                var (words, unit) = WordsOf(key);
                why = string.Create(CultureInfo.InvariantCulture,
                    $"{words} back within its normal range for {settings.RecoverAfterSteps} steps (now {Format(_lastValue.GetValueOrDefault(key), unit)})");
            }

            if (why is null)
            {
                continue;
            }

            _open.Remove(key);
            foreach (var finding in open.Values)
            {
                resolved.Add(finding with
                {
                    Id = Guid.NewGuid().ToString("N"),
                    Status = FindingStatus.Resolved,
                    Observed = _lastValue.GetValueOrDefault(key, finding.Observed),
                    Score = 0,
                    WindowStart = stepStart,
                    WindowEnd = stepEnd,
                    RaisedAt = now,
                    Summary = string.Create(CultureInfo.InvariantCulture,
                        $"{(key.Scope == SeriesKey.GoalScope ? "Goal" : "Service")} '{key.Subject}': {why}; raised {finding.WindowStart.UtcDateTime:yyyy-MM-dd HH:mm} UTC."),
                    Reason = "",
                    SampleRunIds = [],
                });
            }
        }

        return resolved;
    }

    private static (string Words, string Unit) WordsOf(SeriesKey key) => key.Scope == SeriesKey.GoalScope
        ? SeriesMetrics.Goal.Where(m => m.Name == key.Metric).Select(m => (m.Words, m.Unit)).FirstOrDefault(("value", ""))
        : SeriesMetrics.Service.Where(m => m.Name == key.Metric).Select(m => (m.Words, m.Unit)).FirstOrDefault(("value", ""));

    /// <summary>The subjects to feed this step: those present, and those seen recently (absent now); forgets the rest.</summary>
    private List<(string Tenant, string Subject)> Subjects(string scope, IEnumerable<(string Tenant, string Subject)> present, DateTimeOffset stepStart)
    {
        foreach (var (tenant, subject) in present)
        {
            _lastSeen[(tenant, scope, subject)] = stepStart;
        }

        var subjects = new List<(string Tenant, string Subject)>();
        foreach (var ((tenant, s, subject), seen) in _lastSeen.ToList())
        {
            if (s != scope)
            {
                continue;
            }

            if (stepStart - seen > settings.ForgetAfter)
            {
                _lastSeen.Remove((tenant, s, subject));
                foreach (var key in _detectors.Keys.Where(k => k.Tenant == tenant && k.Scope == s && k.Subject == subject).ToList())
                {
                    _detectors.Remove(key);
                    _episodes.Remove(key);
                    _lastValue.Remove(key);
                    _seriesOfTenant[tenant]--;
                }

                continue;
            }

            subjects.Add((tenant, subject));
        }

        subjects.Sort();
        return subjects;
    }

    /// <param name="intermittent">A per-step sum (absent reads as zero): raised only past its recent range.</param>
    /// <returns>The anomaly, if any, and when the episode it is folded into was raised (null: a new one, to be raised).</returns>
    private (Anomaly? Anomaly, DateTimeOffset? FoldedInto) Feed(SeriesKey key, SeriesKind kind, bool intermittent, DateTimeOffset time, double? value)
    {
        if (value is not { } v || !double.IsFinite(v))
        {
            return (null, null);
        }

        _lastValue[key] = v;
        if (!_detectors.TryGetValue(key, out var detector))
        {
            var ofTenant = _seriesOfTenant.GetValueOrDefault(key.Tenant);
            if (_detectors.Count >= settings.MaxSeries || ofTenant >= settings.MaxSeriesPerTenant)
            {
                PointsOverLimit++;
                return (null, null);
            }

            _seriesOfTenant[key.Tenant] = ofTenant + 1;
            _detectors[key] = detector = SeriesDetectors.For(kind, intermittent);
            _episodes[key] = SeriesDetectors.Episodes();
        }

        var anomaly = detector.Observe(time, v);
        var episodes = _episodes[key];
        if (episodes.Observe(time, v, anomaly) || anomaly is null)
        {
            return (anomaly, null);
        }

        if (!_open.ContainsKey(key))
        {
            // Folded after the episode's finding was resolved: the detector goes back to resolved, not re-armed (a worse
            // change still pages), rather than into a hold-off no recovery would end.
            detector.TryRecover(0);
        }

        return (anomaly, episodes.EpisodeRaisedAt);
    }

    private List<Finding> CheckLimits(string tenant, GoalFigures figures, DateTimeOffset stepStart, DateTimeOffset stepEnd, DateTimeOffset now)
    {
        var findings = new List<Finding>();
        var goal = figures.GoalName;
        if (!_recentCost.TryGetValue((tenant, goal), out var costs))
        {
            _recentCost[(tenant, goal)] = costs = new Queue<(DateTimeOffset, double)>();
        }

        costs.Enqueue((stepStart, figures.Cost));
        while (costs.Count > 0 && costs.Peek().Time < stepEnd - TimeSpan.FromHours(1))
        {
            costs.Dequeue();
        }

        var limit = settings.Limits.FirstOrDefault(l => l.Goal == goal) ?? settings.Limits.FirstOrDefault(l => l.Goal == "*");
        if (limit is null)
        {
            return findings;
        }

        var ended = figures.Completed + figures.Failed + figures.Abandoned;
        Check("rule:cost-per-hour", "cost over the last hour", limit.MaxCostPerHour, costs.Sum(c => c.Cost), above: true, stepEnd - TimeSpan.FromHours(1));
        Check("rule:max-fan-out", "p99 fan-out (sub-tasks per run)", limit.MaxFanOut, ended == 0 ? null : figures.FanOutP99, above: true, stepStart);
        Check("rule:min-completion-rate", "completion rate", limit.MinCompletionRate, ended < limit.MinRuns ? null : figures.CompletionRate, above: false, stepStart);
        return findings;

        void Check(string rule, string words, double? bound, double? observed, bool above, DateTimeOffset windowStart)
        {
            if (bound is not { } b || observed is not { } o)
            {
                return;
            }

            var crossed = above ? o > b : o < b;
            if (!crossed)
            {
                if (_violating.Remove((tenant, goal, rule)))
                {
                    _backWithinLimit.Add((tenant, goal, rule));
                }

                return;
            }

            if (rule == "rule:min-completion-rate")
            {
                _goalTroubleAt[tenant] = stepStart;
            }

            if (!_violating.Add((tenant, goal, rule)))
            {
                return; // still over the limit: raised when it was first crossed
            }

            var unit = rule == "rule:min-completion-rate" ? "share" : rule == "rule:cost-per-hour" ? "$" : "";
            var summary = string.Create(CultureInfo.InvariantCulture,
                $"Goal '{goal}': {words} {(above ? "rose to" : "fell to")} {Format(o, unit)}, past the configured {(above ? "maximum" : "minimum")} of {Format(b, unit)} ({Window(windowStart, stepEnd)}).");
            findings.Add(new Finding
            {
                Id = Guid.NewGuid().ToString("N"),
                Tenant = tenant,
                Fingerprint = FindingFingerprint.Format(tenant, SeriesKey.GoalScope, goal, rule["rule:".Length..], rule),
                Severity = limit.Severity,
                Status = FindingStatus.Raised,
                Scope = SeriesKey.GoalScope,
                Subject = goal,
                Metric = rule["rule:".Length..],
                Observed = o,
                Expected = b,
                Lower = above ? 0 : b,
                Upper = above ? b : 1, // the only lower bound is the completion rate's, a share
                Score = b == 0 ? o : o / b,
                Detector = rule,
                WindowStart = windowStart,
                WindowEnd = stepEnd,
                RaisedAt = now,
                Summary = summary,
            });
        }
    }

    /// <summary>
    /// A finding of a change already raised on its series (<see cref="EpisodeFold"/>) is recorded as context, not raised:
    /// one underlying change, one page.
    /// </summary>
    private static Finding Folded(Finding finding, DateTimeOffset? episodeRaisedAt) => episodeRaisedAt is not { } raisedAt || finding.Status != FindingStatus.Raised
        ? finding
        : finding with
        {
            Status = FindingStatus.Context,
            Severity = AlertSeverity.Info,
            Reason = string.Create(CultureInfo.InvariantCulture,
                $"Part of the change raised on this series at {raisedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC (no further out than it went since): not raised again."),
        };

    private Finding AgentAware(Finding finding, IReadOnlyList<GoalBucket> goals, DateTimeOffset stepStart)
    {
        var burst = finding.Metric == "error_rate" || (finding.Metric == "request_rate" && finding.Observed > finding.Expected);
        if (!burst)
        {
            return finding;
        }

        var troubleRecently = _goalTroubleAt.TryGetValue(finding.Tenant, out var at) && at >= stepStart - (settings.ContextSteps * settings.Step);
        var finishing = goals.Where(g => g.Tenant == finding.Tenant && g.Figures.Completed > 0).Select(g => g.Figures).ToList();
        if (troubleRecently || finishing.Count == 0)
        {
            return finding;
        }

        var shown = string.Join(", ", finishing.Take(5).Select(f => string.Create(CultureInfo.InvariantCulture,
            $"'{f.GoalName}' ({Format(f.CompletionRate ?? 0, "share")} completed, p95 {Format(f.DurationP95Ms, "ms")})")));
        return finding with
        {
            Status = FindingStatus.Context,
            Severity = AlertSeverity.Info,
            Reason = string.Create(CultureInfo.InvariantCulture,
                $"Goals of this tenant finished at their normal rate and duration in this step: {shown}{(finishing.Count > 5 ? $" and {finishing.Count - 5} more" : "")}; none was in trouble in the last {settings.ContextSteps} steps. Likely agents bursting, not a fault."),
        };
    }

    private static Finding Learned(
        string tenant, string scope, string subject, string metric, string words, string unit, Anomaly anomaly,
        DateTimeOffset stepStart, DateTimeOffset stepEnd, DateTimeOffset now, AlertSeverity severity)
    {
        // Every watched metric is a count, rate or duration: a band reaching below zero is shown from zero.
        var direction = anomaly.Value > anomaly.Expected ? "rose to" : "dropped to";
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{(scope == SeriesKey.GoalScope ? "Goal" : "Service")} '{subject}': {words} {direction} {Format(anomaly.Value, unit)} (expected {Format(anomaly.Expected, unit)}, normal {Format(Math.Max(anomaly.Lower, 0), unit)} to {Format(anomaly.Upper, unit)}) in {Window(stepStart, stepEnd)}; {anomaly.Detector}.");
        return new Finding
        {
            Id = Guid.NewGuid().ToString("N"),
            Tenant = tenant,
            Fingerprint = FindingFingerprint.Format(tenant, scope, subject, metric, anomaly.Detector),
            Severity = severity,
            Status = FindingStatus.Raised,
            Scope = scope,
            Subject = subject,
            Metric = metric,
            Observed = anomaly.Value,
            Expected = anomaly.Expected,
            Lower = anomaly.Lower,
            Upper = anomaly.Upper,
            Score = anomaly.Score,
            Detector = anomaly.Detector,
            WindowStart = stepStart,
            WindowEnd = stepEnd,
            RaisedAt = now,
            Summary = summary,
        };
    }

    /// <summary>Completion rate, failure rate and runs finished say a goal is failing: critical; the rest warn.</summary>
    private static AlertSeverity GoalSeverity(string metric) =>
        metric is "completion_rate" or "failure_rate" or "finished" ? AlertSeverity.Critical : AlertSeverity.Warning;

    private static string Window(DateTimeOffset start, DateTimeOffset end) =>
        string.Create(CultureInfo.InvariantCulture, $"{start.UtcDateTime:yyyy-MM-dd HH:mm}–{end.UtcDateTime:HH:mm} UTC");

    private static string Format(double value, string unit) => unit switch
    {
        "share" => string.Create(CultureInfo.InvariantCulture, $"{value * 100:0.#}%"),
        "ms" when value >= 1000 => string.Create(CultureInfo.InvariantCulture, $"{value / 1000:0.##} s"),
        "ms" => string.Create(CultureInfo.InvariantCulture, $"{value:0} ms"),
        "$" => string.Create(CultureInfo.InvariantCulture, $"{value:0.####}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{value:0.##}"),
    };
}
