using System.Globalization;
using TaskLens.Core.Briefs;
using TaskLens.Core.Incidents;
using TaskLens.Core.Traces;

namespace TaskLens.Briefs.Facts;

/// <summary>
/// Ranks where an incident likely started. Candidates (<see cref="OriginCandidates"/>) are its services and those its
/// goals run in, what they call (dependencies), the other callers of those dependencies (neighbours) and its goals;
/// each earns credit for the earliest anomalous signal (alert, error or latency onset, new error template, deploy),
/// for being upstream in the call graph learnt from spans (affected services call it, it calls none of them:
/// failures travel from callee to caller), for a new error template, for a <c>service.version</c> change near the
/// onset, for cost burn (a goal) and, a little, for the alerts that name it.
/// </summary>
internal static class OriginRanker
{
    public const int Shown = 5;

    /// <summary>The least rise of p95 latency over its normal that counts as a signal.</summary>
    private const double MinLatencyRiseMs = 50;

    /// <summary>The least share of a service's calls a callee takes to count as a dependency it relies on.</summary>
    private const double MinCallShare = 0.1;

    /// <summary>
    /// The least occurrences of a new error template that make it evidence: one or two new lines are a blip any service
    /// has now and then (a retried call, a distractor's burst reaching a caller once), not a new way of failing.
    /// </summary>
    private const int MinNewTemplateCount = 3;

    private static readonly string[] BurnMetrics = ["cost", "tokens", "fan_out", "fanout", "llm_calls"];

    public static IReadOnlyList<OriginCandidate> Rank(
        IncidentEvidence evidence, IReadOnlyList<ErrorTemplate> templates, IReadOnlyList<GoalImpact> goals, OriginWeights weights, int shown = Shown)
    {
        var incident = evidence.Detail.Incident;
        var candidates = new Dictionary<(string Kind, string Name), Candidate>();
        Candidate Get(string kind, string name) =>
            candidates.TryGetValue((kind, name), out var c) ? c : candidates[(kind, name)] = new Candidate(kind, name);

        var calls = SubstantialCalls(evidence.Links);
        foreach (var (name, kind) in OriginCandidates.Of(incident.Services, evidence.GoalServices.Values.SelectMany(s => s), evidence.Links))
        {
            Get(kind, name);
        }

        foreach (var goal in incident.Goals)
        {
            Get("goal", goal.ToLowerInvariant());
        }

        Candidate? ServiceOrDependency(string name) =>
            candidates.GetValueOrDefault(("service", name)) ?? candidates.GetValueOrDefault(("dependency", name)) ?? candidates.GetValueOrDefault(("neighbour", name));

        AddAlerts(evidence, candidates, ServiceOrDependency);
        foreach (var (service, series) in evidence.ServiceSeries)
        {
            if (ServiceOrDependency(service.ToLowerInvariant()) is { } c && SeriesOnset(series, evidence.Onset) is { } onset)
            {
                c.Signal(onset.At, new OriginEvidence("earliest-signal", onset.What, onset.At, [$"series:service/{service}/{onset.Metric}"]));
            }
        }

        foreach (var (service, series) in evidence.ServiceSeries)
        {
            if (ServiceOrDependency(service.ToLowerInvariant()) is { } c && Surge(series, evidence.Onset) is { } surge)
            {
                c.Surge = true;
                c.SurgeAt = surge.At;
                c.Signal(surge.At, new OriginEvidence("load-surge", surge.What, surge.At, [$"series:service/{service}/spans"]));
            }
        }

        foreach (var template in templates.Where(t => t.IsNew && t.Count >= MinNewTemplateCount).OrderBy(t => t.FirstSeen))
        {
            if (ServiceOrDependency(template.Service.ToLowerInvariant()) is { } c && !c.NewTemplate)
            {
                c.NewTemplate = true;
                c.Signal(template.FirstSeen, new OriginEvidence(
                    "new-error-template", $"new error template {template.Id} ({template.Count} times) first seen {Time(template.FirstSeen)}", template.FirstSeen, template.Sources));
            }
        }

        foreach (var change in VersionChanges(evidence))
        {
            if (ServiceOrDependency(change.Service.ToLowerInvariant()) is { } c)
            {
                c.VersionChanged = true;
                c.Signal(change.At, new OriginEvidence(
                    "version-change", $"service.version {change.From} → {change.To} at {Time(change.At)}", change.At, [$"version:{change.Service}@{change.To}"]));
            }
        }

        foreach (var goal in goals)
        {
            if (goal.CostPerHourNormal is > 0 and var normal && goal.CostPerHourNow >= 3 * normal && candidates.TryGetValue(("goal", goal.Goal.ToLowerInvariant()), out var c))
            {
                c.Burn = true;
                c.Evidence.Add(new OriginEvidence(
                    "cost-burn", string.Create(CultureInfo.InvariantCulture, $"cost ${goal.CostPerHourNow:0.####}/h against ${normal:0.####}/h before"), null, goal.Sources));
            }
        }

        AttributeLoad(evidence, candidates, calls);
        return Score(candidates.Values.ToList(), calls, weights, shown);
    }

    /// <summary>
    /// A load surge is evidence where the load comes from, not where it lands. A goal burning cost owns the surge of the
    /// services its runs start in (its runs are their spans: an agent loop); a service whose load surged at or after a
    /// surge of a service calling it received that load (a noisy neighbour's queries are its spans).
    /// </summary>
    private static void AttributeLoad(IncidentEvidence evidence, Dictionary<(string Kind, string Name), Candidate> candidates, Dictionary<string, HashSet<string>> calls)
    {
        var services = candidates.Values.Where(c => c.Kind != "goal").ToDictionary(c => c.Name, StringComparer.Ordinal);
        // Callers first: a tool service loaded by a looping agent received the agent's load, which the goal then owns.
        foreach (var caller in services.Values.Where(c => c.Surge).OrderBy(c => c.SurgeAt).ToList())
        {
            foreach (var callee in calls.GetValueOrDefault(caller.Name) ?? [])
            {
                if (services.GetValueOrDefault(callee) is { Surge: true, SurgeAt: { } at } d && at >= caller.SurgeAt)
                {
                    d.TakeSurge();
                }
            }
        }

        foreach (var goal in candidates.Values.Where(c => c.Kind == "goal" && c.Burn))
        {
            foreach (var host in evidence.GoalServices.GetValueOrDefault(goal.Name) ?? [])
            {
                if (services.GetValueOrDefault(host) is { Surge: true, SurgeAt: { } at } h && h.TakeSurge() is { } surge)
                {
                    goal.Surge = true;
                    goal.SurgeAt = at;
                    goal.Signal(at, surge with { Text = $"its runs' load in {host}: {surge.Text}" });
                }
            }
        }
    }

    /// <summary>
    /// Caller → callees, keeping a callee only when it takes at least <see cref="MinCallShare"/> of the caller's calls: a
    /// dependency called now and then cannot explain a caller's trouble at large (a distractor's blip reaches a few of
    /// its requests), so it earns no upstream credit from that caller.
    /// </summary>
    internal static Dictionary<string, HashSet<string>> SubstantialCalls(IReadOnlyList<ServiceLink> links)
    {
        var calls = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var caller in links.GroupBy(l => l.Caller.ToLowerInvariant(), StringComparer.Ordinal))
        {
            var total = Math.Max(1, caller.Sum(l => l.Calls));
            calls[caller.Key] = caller.Where(l => l.Calls >= MinCallShare * total).Select(l => l.Callee.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        }

        return calls;
    }

    private static void AddAlerts(IncidentEvidence evidence, Dictionary<(string Kind, string Name), Candidate> candidates, Func<string, Candidate?> serviceOrDependency)
    {
        foreach (var (membership, alert) in evidence.Detail.Alerts)
        {
            var labels = alert?.Labels ?? new Dictionary<string, string>();
            var input = new CorrelationInput(membership.AlertId, alert?.Source ?? "", membership.JoinedAt, alert?.Title ?? "", labels);
            var at = alert is null ? membership.JoinedAt : Min(alert.FirstSeen, membership.JoinedAt);
            var source = "alert:" + membership.AlertId;
            var targets = new List<Candidate>();
            if (input.Service is { } service && serviceOrDependency(service) is { } s)
            {
                targets.Add(s);
            }

            if (input.Goal is { } goal && candidates.TryGetValue(("goal", goal), out var g))
            {
                targets.Add(g);
                if (labels.TryGetValue("metric", out var metric) && BurnMetrics.Any(m => metric.Contains(m, StringComparison.OrdinalIgnoreCase)))
                {
                    g.Burn = true;
                    g.Evidence.Add(new OriginEvidence("cost-burn", $"alert on the goal's {metric}", at, [source]));
                }
            }

            foreach (var target in targets)
            {
                target.AlertIds.Add(source);
                target.Signal(at, null, [source]);
                if (target.FirstAlert is null || at < target.FirstAlert.Value.At)
                {
                    target.FirstAlert = (at, source);
                }
            }
        }
    }

    private static List<OriginCandidate> Score(List<Candidate> candidates, Dictionary<string, HashSet<string>> calls, OriginWeights weights, int shown)
    {
        var affected = candidates.Where(c => c.Kind != "goal" && c.Earliest is not null).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var first = candidates.Where(c => c.Earliest is not null).Select(c => c.Earliest!.Value).DefaultIfEmpty().Min();
        var maxAlerts = Math.Max(1, candidates.Max(c => (int?)c.AlertIds.Count) ?? 0);
        var byName = candidates.Where(c => c.Kind != "goal").GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var c in candidates)
        {
            if (c.FirstAlert is { } fa)
            {
                c.Evidence.Add(new OriginEvidence("alerts", $"{c.AlertIds.Count} alert(s) name it, the first at {Time(fa.At)}", fa.At, c.AlertIds.Order(StringComparer.Ordinal).Take(10).ToList()));
            }

            var score = weights.Alerts * c.AlertIds.Count / maxAlerts;
            if (c.Earliest is { } earliest)
            {
                var lag = (earliest - first).TotalSeconds;
                score += weights.Earliest * Math.Exp(-lag / Math.Max(1, weights.EarlyFade.TotalSeconds));
                if (lag <= 0 && !c.Evidence.Any(e => e.Kind == "earliest-signal" && e.At == earliest))
                {
                    c.Evidence.Insert(0, new OriginEvidence("earliest-signal", $"the earliest anomalous signal of the incident, at {Time(earliest)}", earliest, c.EarliestSources));
                }
            }

            if (c.Kind != "goal" && affected.Contains(c.Name))
            {
                var callers = affected.Where(a => a != c.Name && Reaches(calls, a, c.Name)).Order(StringComparer.Ordinal).ToList();
                var callees = affected.Where(a => a != c.Name && Reaches(calls, c.Name, a)).ToList();
                var upstream = affected.Count > 1 ? (double)callers.Count / (affected.Count - 1) : 0;

                // A service whose load surged before the trouble of a service it calls is the likelier cause of that
                // trouble (a noisy neighbour): it takes that service's place upstream instead of a penalty for calling it.
                // Strictly before: a surge in the same minute as its callee's trouble is the caller retrying a failing
                // callee (a throttled provider), and a queue builds up a minute after the load that fills it.
                var loaded = c.Surge && c.SurgeAt is { } surged
                    ? callees.Where(d => byName[d].Earliest is { } e && e > surged).ToList()
                    : [];
                if (loaded.Count > 0)
                {
                    upstream = Math.Max(upstream, loaded.Max(d => (double)affected.Count(a => a != d && a != c.Name && Reaches(calls, a, d)) / Math.Max(1, affected.Count - 1)) + (1.0 / Math.Max(1, affected.Count - 1)));
                    c.Evidence.Add(new OriginEvidence("load-on-dependency", $"its load rose before the trouble of {string.Join(", ", loaded.Order(StringComparer.Ordinal))}, which it calls", c.Earliest,
                        loaded.Select(d => $"link:{c.Name}->{d}").ToList()));
                }

                score += weights.Upstream * (upstream - (callees.Count > loaded.Count ? 0.5 : 0));
                if (affected.Count > 1 && callers.Count == 0 && callees.Count == 0)
                {
                    score -= weights.Isolated;
                    c.Evidence.Add(new OriginEvidence("isolated", "no other affected service calls it or is called by it in the call graph", null, [$"series:service/{c.Name}/spans"]));
                }

                if (callers.Count > 0)
                {
                    c.Evidence.Add(new OriginEvidence(
                        "upstream", $"{callers.Count} affected service(s) depend on it in the call graph: {string.Join(", ", callers)}" + (callees.Count > loaded.Count ? "; it calls an affected service itself" : ""),
                        null, callers.Select(a => $"link:{a}->{c.Name}").ToList()));
                }
            }

            score += (c.NewTemplate ? weights.NewTemplate : 0) + (c.VersionChanged ? weights.VersionChange : 0) + (c.Burn ? weights.CostBurn : 0)
                + (c.Surge ? weights.LoadSurge : 0);
            c.Score = Math.Round(score, 3);
        }

        return candidates.Where(c => c.Earliest is not null || c.Evidence.Count > 0)
            .OrderByDescending(c => c.Score).ThenBy(c => c.Earliest ?? DateTimeOffset.MaxValue).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(shown)
            .Select((c, i) => new OriginCandidate(i + 1, c.Kind, c.Name, c.Score, c.Evidence))
            .ToList();
    }

    /// <summary>Whether <paramref name="from"/> calls <paramref name="to"/>, directly or through other services.</summary>
    private static bool Reaches(Dictionary<string, HashSet<string>> calls, string from, string to)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { from };
        var queue = new Queue<string>([from]);
        while (queue.TryDequeue(out var at))
        {
            foreach (var next in calls.GetValueOrDefault(at) ?? [])
            {
                if (next == to)
                {
                    return true;
                }

                if (seen.Add(next))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The first minute from 15 minutes before the onset where errors jump past the service's normal (mean + 4 sd of the
    /// minutes before, and at least 3), or latency p95 doubles past anything seen before.
    /// </summary>
    internal static (DateTimeOffset At, string Metric, string What)? SeriesOnset(IReadOnlyList<OperationFigures> series, DateTimeOffset onset)
    {
        var before = series.Where(f => f.Time < onset - TimeSpan.FromMinutes(15)).ToList();
        var minutes = Math.Max(1, (int)Math.Round(before.Select(f => f.Time).DefaultIfEmpty(onset).Max().Subtract(before.Select(f => f.Time).DefaultIfEmpty(onset).Min()).TotalMinutes) + 1);
        var mean = before.Sum(f => (double)f.Errors) / minutes;
        var variance = (before.Sum(f => (f.Errors - mean) * (f.Errors - mean)) + ((minutes - before.Count) * mean * mean)) / minutes;
        var errorLimit = Math.Max(3, mean + (4 * Math.Sqrt(variance)));
        // Doubling past anything seen before, and by a margin that matters (a 3 ms call taking 7 ms is not an incident).
        var median = Median(before.Select(f => f.DurationP95Ms));
        var latencyLimit = before.Count == 0 ? double.MaxValue : Math.Max(Math.Max(2 * median, before.Max(f => f.DurationP95Ms)), median + MinLatencyRiseMs);
        foreach (var f in series.Where(f => f.Time >= onset - TimeSpan.FromMinutes(15)).OrderBy(f => f.Time))
        {
            if (f.Errors >= errorLimit)
            {
                return (f.Time, "errors", string.Create(CultureInfo.InvariantCulture, $"errors rose to {f.Errors}/min at {Time(f.Time)} (normal {mean:0.#}/min)"));
            }

            if (f.Spans >= 5 && f.DurationP95Ms > latencyLimit)
            {
                return (f.Time, "duration_p95", string.Create(CultureInfo.InvariantCulture, $"p95 latency rose to {f.DurationP95Ms:0} ms at {Time(f.Time)} (normal {median:0} ms)"));
            }
        }

        return null;
    }

    /// <summary>
    /// The first minute from 15 minutes before the onset where a service's spans per minute reach three times their
    /// normal (a noisy neighbour, a retry storm, an agent loop): load others may be suffering from.
    /// </summary>
    internal static (DateTimeOffset At, string What)? Surge(IReadOnlyList<OperationFigures> series, DateTimeOffset onset)
    {
        var before = series.Where(f => f.Time < onset - TimeSpan.FromMinutes(15)).ToList();
        if (before.Count < 5)
        {
            return null;
        }

        var normal = Median(before.Select(f => (double)f.Spans));
        foreach (var f in series.Where(f => f.Time >= onset - TimeSpan.FromMinutes(15)).OrderBy(f => f.Time))
        {
            if (f.Spans >= Math.Max(3 * normal, normal + 100))
            {
                return (f.Time, string.Create(CultureInfo.InvariantCulture, $"spans rose to {f.Spans}/min at {Time(f.Time)} (normal {normal:0}/min)"));
            }
        }

        return null;
    }

    /// <summary>A service that started a new <c>service.version</c> from an hour before the onset on, while an older one ran before it.</summary>
    internal static IEnumerable<(string Service, string From, string To, DateTimeOffset At)> VersionChanges(IncidentEvidence evidence)
    {
        foreach (var service in evidence.Versions.GroupBy(v => v.Service, StringComparer.OrdinalIgnoreCase))
        {
            var ordered = service.OrderBy(v => v.FirstSeen).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].FirstSeen >= evidence.Onset - TimeSpan.FromMinutes(30) && ordered[i - 1].FirstSeen < ordered[i].FirstSeen)
                {
                    yield return (service.Key, ordered[i - 1].Version, ordered[i].Version, ordered[i].FirstSeen);
                }
            }
        }
    }

    internal static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed class Candidate(string kind, string name)
    {
        public string Kind { get; } = kind;
        public string Name { get; } = name;
        public DateTimeOffset? Earliest { get; private set; }
        public List<string> EarliestSources { get; private set; } = [];
        public (DateTimeOffset At, string Source)? FirstAlert { get; set; }
        public HashSet<string> AlertIds { get; } = new(StringComparer.Ordinal);
        public List<OriginEvidence> Evidence { get; } = [];
        public bool NewTemplate { get; set; }
        public bool VersionChanged { get; set; }
        public bool Burn { get; set; }
        public bool Surge { get; set; }
        public DateTimeOffset? SurgeAt { get; set; }
        public double Score { get; set; }

        private readonly List<(DateTimeOffset At, OriginEvidence? Evidence, List<string> Sources)> _signals = [];

        /// <summary>
        /// Gives up its load surge (another candidate's doing) and returns its evidence, if it had one. The surge no longer
        /// counts as its own signal either, so its earliest signal is its own trouble, not the load it received.
        /// </summary>
        public OriginEvidence? TakeSurge()
        {
            var evidence = Evidence.Find(e => e.Kind == "load-surge");
            Surge = false;
            SurgeAt = null;
            if (evidence is not null)
            {
                Evidence.Remove(evidence);
                _signals.RemoveAll(s => ReferenceEquals(s.Evidence, evidence));
                Earliest = null;
                EarliestSources = [];
                foreach (var (at, _, sources) in _signals)
                {
                    Earlier(at, sources);
                }
            }

            return evidence;
        }

        public void Signal(DateTimeOffset at, OriginEvidence? evidence, IReadOnlyList<string>? sources = null)
        {
            if (evidence is not null)
            {
                Evidence.Add(evidence);
            }

            var from = (evidence?.Sources ?? sources ?? []).ToList();
            _signals.Add((at, evidence, from));
            Earlier(at, from);
        }

        private void Earlier(DateTimeOffset at, List<string> sources)
        {
            if (Earliest is null || at < Earliest)
            {
                Earliest = at;
                EarliestSources = sources;
            }
        }
    }
}
