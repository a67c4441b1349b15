using System.Globalization;
using TaskLens.Core.Incidents.Learning;

namespace TaskLens.Core.Incidents;

/// <summary>Why an alert joined an incident (or opened one), in words, with the score that decided it.</summary>
public sealed record CorrelationReason(string IncidentId, bool Opened, double Score, string Why);

/// <summary>
/// Folds alerts, in time order, into incidents. A repeat notification of an alert already in an open incident joins
/// it. Otherwise an alert joins the open incident it is most related to, if any is related enough
/// (<see cref="Settings.JoinThreshold"/>): the same goal (1.0); the same workload (0.9: the Kubernetes workload, machine
/// or service its labels name, <see cref="Workload"/>) — for a fault only when the incident holds faults of that
/// workload or symptoms still waiting for their cause; a dependency (<see cref="Settings.DependWeight"/>): a symptom
/// (<see cref="Symptoms"/>) on a workload with trouble in what it depends on, or a fault explaining symptoms of its
/// dependants; a workload otherwise linked by spans (<see cref="Settings.LinkWeight"/>, not enough alone) — plus a
/// share of the TF-IDF cosine of its words with the incident's alerts'; with nothing shared, the cosine alone, if at
/// least <see cref="Settings.TextThreshold"/>. Words never join an alert naming a workload the incident's workloads
/// have nothing to do with. An incident none of whose alerts still fires takes back only its own alerts. An incident
/// takes new alerts while one of its alerts still fires (for at most <see cref="Settings.FiringWindow"/> after its last
/// one), then for <see cref="Settings.Window"/> after its last one. People's merges and splits shift the decision for
/// kinds of alerts they decided on (<see cref="Memory"/>). Every decision is recorded with its reason.
/// </summary>
/// <param name="topology">Calls and machines seen in spans (<see cref="WorkloadTopology"/>); none when null.</param>
public sealed class AlertCorrelator(AlertCorrelator.Settings? settings = null, WorkloadTopology? topology = null)
{
    private readonly Settings _settings = settings ?? new Settings();
    private readonly WorkloadTopology _topology = topology ?? new WorkloadTopology();
    private readonly TextVectors _text = new((settings ?? new Settings()).MaxWords);
    private readonly List<OpenIncident> _open = [];
    private int _next;

    /// <summary>How much less a symptom joined through its callee's symptoms scores than one joined to its callee's fault.</summary>
    private const double IndirectMargin = 0.05;

    /// <summary>How much less a pod lifecycle alert scores with an incident whose pod faults on its workload are lifecycle alerts alone.</summary>
    private const double LifecycleMargin = 0.1;

    /// <param name="Window">How long after its last alert an incident still takes new ones.</param>
    /// <param name="JoinThreshold">The least relatedness that joins an alert to an incident.</param>
    /// <param name="TextThreshold">The least cosine of words that joins on words alone.</param>
    /// <param name="LinkWeight">Relatedness of a service linked by spans to one of the incident's: alone, below the threshold.</param>
    /// <param name="TextWeight">How much similar words add to a shared goal, service or link (and pick between incidents).</param>
    /// <param name="FiringWindow">
    /// How long after its last alert an incident whose alerts still fire takes new ones (unset: as <paramref name="Window"/>).
    /// </param>
    /// <param name="DependWeight">
    /// Relatedness of a symptom (errors, latency) on a workload to an incident about what that workload depends on
    /// (within <paramref name="Hops"/> calls), or of an alert to an incident holding symptoms of its dependants.
    /// </param>
    /// <param name="Hops">How many calls away a dependency may be.</param>
    /// <param name="MaxWords">Distinct words learnt per tenant (senders choose them); later new words weigh as never seen.</param>
    /// <param name="MaxOpenIncidents">Open incidents per tenant; past it an alert that would open one is kept by the intake, in no incident, and counted.</param>
    public sealed record Settings(
        TimeSpan? Window = null, double JoinThreshold = 0.7, double TextThreshold = 0.6, double LinkWeight = 0.45, double TextWeight = 0.5, TimeSpan? FiringWindow = null,
        double DependWeight = 0.75, int Hops = 1, int MaxWords = 100_000, int MaxOpenIncidents = 1_000)
    {
        public TimeSpan EffectiveWindow => Window ?? TimeSpan.FromMinutes(15);

        /// <summary>The firing window, never shorter than the window (unset: the window, so firing alone keeps nothing open longer).</summary>
        public TimeSpan EffectiveFiringWindow => FiringWindow is { } f && f > EffectiveWindow ? f : EffectiveWindow;
    }

    /// <summary>
    /// What people's merges and splits taught about this tenant's alerts (<see cref="GroupingMemory"/>): it shifts the
    /// rules' decision for kinds of alerts people have decided on. None: the rules alone.
    /// </summary>
    public GroupingMemory? Memory { get; set; }

    /// <summary>Decides and takes the alert in one step, naming new incidents itself (the grouping benchmark's use).</summary>
    public CorrelationReason Add(CorrelationInput alert)
    {
        var (join, score, why) = Decide(alert);
        if (join is null)
        {
            var id = "inc-" + (++_next).ToString("D4", CultureInfo.InvariantCulture);
            Open(id, alert);
            return new CorrelationReason(id, true, 0, why);
        }

        Take(join, alert);
        return new CorrelationReason(join, false, score, why);
    }

    /// <summary>
    /// Which open incident the alert should join (null: it opens one), with the score and the reason in words. Learns
    /// the alert's words; changes no incident — follow with <see cref="Open"/> or <see cref="Take"/>.
    /// </summary>
    /// <summary>Distinct words learnt.</summary>
    public int WordCount => _text.WordCount;

    public (string? IncidentId, double Score, string Why) Decide(CorrelationInput alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var words = WordsOf(alert);
        _text.Learn(words);
        var vector = _text.Vector(words);
        _open.RemoveAll(i => alert.Time - i.Last > (i.Firing.Count > 0 ? _settings.EffectiveFiringWindow : _settings.EffectiveWindow));

        if (_open.Find(i => i.Repeats.Contains(alert.RepeatKey)) is { } repeated)
        {
            return (repeated.Id, 1, "a repeat notification of an alert already in it");
        }

        var identities = IdentitiesOf(alert);
        var symptom = Symptoms.Is(TextOf(alert));
        OpenIncident? best = null;
        var bestScore = 0.0;
        var bestWhy = "";
        foreach (var incident in _open)
        {
            // An incident none of whose alerts fires any more (a flapping alert between flaps) takes back its own alerts only.
            if (incident.Firing.Count == 0)
            {
                continue;
            }

            var (score, why) = Learnt(incident, alert, Relatedness(incident, alert, identities, symptom, vector));
            if (score > bestScore)
            {
                (best, bestScore, bestWhy) = (incident, score, why);
            }
        }

        return best is null || bestScore < _settings.JoinThreshold
            ? (null, 0, "opened: related to no open incident")
            : (best.Id, bestScore, bestWhy);
    }

    /// <summary>Starts taking alerts for a new incident, with this alert its first.</summary>
    public void Open(string incidentId, CorrelationInput alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var opened = new OpenIncident(incidentId);
        var words = WordsOf(alert);
        var identities = IdentitiesOf(alert);
        opened.Take(alert, identities, Symptoms.Is(TextOf(alert)), KindOf(alert, identities), _text.Vector(words));
        _open.Add(opened);
    }

    /// <summary>Adds the alert to an open incident (as decided, or as a person moved it).</summary>
    public void Take(string incidentId, CorrelationInput alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var incident = _open.Find(i => i.Id == incidentId);
        if (incident is null)
        {
            Open(incidentId, alert);
            return;
        }

        var words = WordsOf(alert);
        var identities = IdentitiesOf(alert);
        incident.Take(alert, identities, Symptoms.Is(TextOf(alert)), KindOf(alert, identities), _text.Vector(words));
    }

    /// <summary>The alert was resolved at its source: once none of its incident's alerts fires, the shorter window applies.</summary>
    public void Resolved(CorrelationInput alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        foreach (var incident in _open)
        {
            incident.Firing.Remove(alert.RepeatKey);
        }
    }

    /// <summary>Stops an incident taking alerts (resolved, or merged away).</summary>
    public void Close(string incidentId) => _open.RemoveAll(i => i.Id == incidentId);

    /// <summary>
    /// Makes an incident take alerts again with exactly these alerts as its own (reopened, merged into, split, or loaded
    /// at start); it counts as last active at <paramref name="lastActive"/>, or its latest alert's time.
    /// </summary>
    public void Restore(string incidentId, IReadOnlyCollection<CorrelationInput> alerts, DateTimeOffset? lastActive = null)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        Close(incidentId);
        var incident = new OpenIncident(incidentId);
        foreach (var alert in alerts)
        {
            var words = WordsOf(alert);
            _text.Learn(words);
            var identities = IdentitiesOf(alert);
            incident.Take(alert, identities, Symptoms.Is(TextOf(alert)), KindOf(alert, identities), _text.Vector(words));
        }

        incident.KeepActiveUntil(lastActive);
        _open.Add(incident);
    }

    /// <summary>
    /// The kind of a fault (<see cref="FaultKinds.Of"/>); a lifecycle alert about pods of a ReplicaSet never seen serving
    /// while others of the workload were (a pod-template hash new to spans) tells a rollout's new pods: a change.
    /// </summary>
    private FaultKind KindOf(CorrelationInput alert, List<string> identities)
    {
        var kind = FaultKinds.Of(alert);
        return kind == FaultKind.Neutral && NewTemplate(alert, identities) ? FaultKind.Change : kind;
    }

    /// <summary>Whether the alert is about a pod whose pod-template hash the workload's serving pods do not carry.</summary>
    private bool NewTemplate(CorrelationInput alert, List<string> identities) =>
        Workload.TemplateHash(alert.Labels) is { } hash && identities.Exists(i => _topology.Serves(i, hash) == false);

    private static List<string> WordsOf(CorrelationInput alert) => TextVectors.Words(TextOf(alert));

    private static string TextOf(CorrelationInput alert) => alert.Title + " " + alert.Labels.GetValueOrDefault("alertname", "");

    /// <summary>
    /// The features of a pair of alerts for the learnt grouping (<see cref="PairFeatures"/>), the rules' score among
    /// them: how related <paramref name="a"/> is to an incident holding <paramref name="b"/> alone.
    /// </summary>
    public float[] FeaturesOf(CorrelationInput a, CorrelationInput b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (left, right) = (IdentitiesOf(a), IdentitiesOf(b));
        var (wordsA, wordsB) = (WordsOf(a), WordsOf(b));
        var (vectorA, vectorB) = (_text.Vector(wordsA), _text.Vector(wordsB));
        var alone = new OpenIncident("pair");
        alone.Take(b, right, Symptoms.Is(TextOf(b)), KindOf(b, right), vectorB);
        var rule = Relatedness(alone, a, left, Symptoms.Is(TextOf(a)), vectorA).Score;
        var distance = left.Exists(right.Contains) ? 0
            : left.Exists(x => right.Exists(y => _topology.DependsOn(x, y, 1) || _topology.DependsOn(y, x, 1))) ? 1
            : left.Exists(x => right.Exists(y => _topology.DependsOn(x, y, 2) || _topology.DependsOn(y, x, 2))) ? 2
            : 3;
        var past = Memory?.Past(AlertKind.Of(a), AlertKind.Of(b)) ?? 0;
        return PairFeatures.Of(PairFeatures.SharedLabels(a.Labels, b.Labels), distance == 0, distance, TextVectors.Cosine(vectorA, vectorB), a.Time - b.Time, past, rule);
    }

    /// <summary>
    /// The rules' relatedness as people's decisions shift it: kinds merged (split) <see cref="GroupingMemory.Settings.Decisive"/>
    /// times join (stay apart); else, while the classifier is in use, a sure "together" joins and a sure "apart" does not.
    /// </summary>
    private (double Score, string Why) Learnt(OpenIncident incident, CorrelationInput alert, (double Score, string Why) rules)
    {
        if (Memory is not { } memory || memory.Decisions == 0)
        {
            return rules;
        }

        var kind = AlertKind.Of(alert);
        var (most, least, mostKind, leastKind) = (0, 0, "", "");
        foreach (var other in incident.Kinds)
        {
            var past = memory.Past(kind, other);
            (most, mostKind) = past > most ? (past, other) : (most, mostKind);
            (least, leastKind) = past < least ? (past, other) : (least, leastKind);
        }

        var decisive = memory.Options.Decisive;
        if (least <= -decisive)
        {
            return (0, "");
        }

        if (most >= decisive)
        {
            var why = string.Create(CultureInfo.InvariantCulture, $"people merged '{Name(kind)}' with '{Name(mostKind)}' {most} times");
            return (Math.Max(rules.Score, _settings.JoinThreshold + 0.2), rules.Score > 0 ? $"{why}; {rules.Why}" : why);
        }

        if (!memory.ModelActive)
        {
            return rules;
        }

        var p = incident.Recent.Select(member => memory.Probability(FeaturesOf(alert, member)) ?? 0.5).DefaultIfEmpty(0.5).Max();
        var learnt = string.Create(CultureInfo.InvariantCulture, $"learnt from people's merges and splits (p = {p:0.00})");
        return rules.Score >= _settings.JoinThreshold && p < 0.2 ? (0, "")
            : rules.Score < _settings.JoinThreshold && p >= 0.8 ? (_settings.JoinThreshold + (p - 0.8), learnt)
            : rules;

        static string Name(string kind) => kind.Split('|') is [_, var name, var workload] ? (workload.Length > 0 ? $"{name} on {workload}" : name) : kind;
    }

    /// <summary>
    /// What the alert names: its workloads (a bare service name read as every workload reporting it) and the machine it
    /// was seen on. An eviction names the machine only: the pod is its victim, the machine's pressure its cause, so an
    /// app's own trouble does not join the machine's incident because one of its pods was evicted there.
    /// </summary>
    private List<string> IdentitiesOf(CorrelationInput alert)
    {
        var identities = new List<string>();
        var evicted = string.Equals(alert.Labels.GetValueOrDefault("reason"), "Evicted", StringComparison.OrdinalIgnoreCase) && Workload.MachineOfLabels(alert.Labels) is not null;
        if (!evicted && alert.Identity is { } identity)
        {
            identities.AddRange(_topology.Resolve(identity));
        }

        if (Workload.MachineOfLabels(alert.Labels) is { } machine && !identities.Contains(machine))
        {
            identities.Add(machine);
        }

        return identities;
    }

    private (double Score, string Why) Relatedness(OpenIncident incident, CorrelationInput alert, List<string> identities, bool symptom, Dictionary<string, double> vector)
    {
        var (structure, why, textWeight) = (0.0, "", _settings.TextWeight);
        var kind = symptom ? FaultKind.Neutral : KindOf(alert, identities);
        if (incident.Conflicts(alert, identities, symptom, kind))
        {
            return (0, "");
        }

        // A change on a workload (a rollout stuck, its new pods failing) is not the trouble of pods that serve there.
        if (!symptom && kind == FaultKind.Change && identities.Exists(i => incident.TemplatesOn(i) is { Count: > 0 } hashes && hashes.All(h => _topology.Serves(i, h) == true)))
        {
            return (0, "");
        }

        if (alert.Goal is { } goal && incident.Goals.Contains(goal))
        {
            (structure, why) = (1.0, $"same goal '{goal}'");
        }
        // A fault joins an incident with faults on the same workload, or one still waiting for the cause of its symptoms.
        else if (identities.Find(symptom || incident.Causes.Count == 0 ? incident.Services.Contains : incident.Causes.Contains) is { } same)
        {
            // Pods' lifecycle (a back-off, replicas missing) follows pods that do not run, not an app's own metrics; and a
            // change that did not start leaves the old pods serving (a rolling update stops after its first new pods
            // that cannot start), so users of the workload feel nothing from it.
            // A lifecycle alert goes first with the incident holding why the pods do not run (a change, a container's
            // reason), before one holding lifecycle alerts alone; words (replicas missing here and there) add at most
            // that margin.
            var neutral = !symptom && incident.Causes.Contains(same) && kind == FaultKind.Neutral;
            textWeight = neutral && incident.PodFaultsOn(same) && !incident.PodCausesOn(same) ? Math.Min(textWeight, LifecycleMargin) : textWeight;
            (structure, why) = neutral && !incident.PodFaultsOn(same)
                ? (_settings.LinkWeight, $"same workload '{same}', whose faults here are none about its pods")
                : neutral && !incident.PodCausesOn(same)
                    ? (0.9 - LifecycleMargin, $"same workload '{same}', whose faults about its pods here are lifecycle alerts alone")
                : (symptom || FaultKinds.ServingReplicasMissing(alert)) && !incident.Symptomatic.Contains(same) && incident.ChangeOnlyOn(same)
                    ? (_settings.LinkWeight, $"same workload '{same}', whose faults here are a change that did not start")
                    : (0.9, $"same workload '{same}'");
        }
        else if (Dependency(incident, identities, symptom, kind) is { } dependency)
        {
            // Through symptoms, words add at most the margin: a fault in what the workload depends on explains it first
            // (symptoms' words, an error rate here and there, say little about which trouble they come from).
            (structure, why, textWeight) = dependency.Indirect
                ? (_settings.DependWeight - IndirectMargin, dependency.Why, Math.Min(_settings.TextWeight, IndirectMargin))
                : (_settings.DependWeight, dependency.Why, textWeight);
        }
        else if (Neighbour(incident, identities) is { } link)
        {
            (structure, why) = (_settings.LinkWeight, link);
        }

        // Words count unless the alert names a service the incident's services have nothing to do with.
        var unrelated = structure == 0 && identities.Count > 0 && incident.Services.Count > 0;
        var similarity = unrelated ? 0 : TextVectors.Cosine(vector, incident.Words);
        var words = string.Create(CultureInfo.InvariantCulture, $"similar words to its alerts (cosine {similarity:0.00})");
        if (structure == 0)
        {
            return similarity >= _settings.TextThreshold ? (similarity, words) : (0, "");
        }

        var score = structure + (textWeight * similarity);
        return (score, similarity > 0 ? $"{why}; {words}" : why);
    }

    /// <summary>
    /// Errors travel from a callee to its callers: a symptom on a workload belongs with trouble in what it depends on,
    /// and trouble in a workload explains symptoms already seen on its dependants.
    /// </summary>
    /// <remarks>
    /// A symptom joined through symptoms of what it depends on (<c>Indirect</c>) scores <see cref="IndirectMargin"/> less
    /// than one joined to a fault there: when both are open, the incident with the fault explains it, and chains of
    /// symptoms do not carry one incident across the call graph onto another's.
    /// </remarks>
    /// <remarks>
    /// A change that did not start (<see cref="FaultKind.Change"/>) explains no symptom: the old pods still serve.
    /// </remarks>
    private (string Why, bool Indirect)? Dependency(OpenIncident incident, List<string> identities, bool symptom, FaultKind kind)
    {
        (string Why, bool Indirect)? indirect = null;
        foreach (var identity in identities)
        {
            if (symptom && incident.Causes.FirstOrDefault(s => !incident.ChangeOnlyOn(s) && _topology.DependsOn(identity, s, _settings.Hops)) is { } callee)
            {
                return ($"a symptom on '{identity}', which depends on '{callee}'", false);
            }

            if (symptom && indirect is null && incident.Symptomatic.FirstOrDefault(s => _topology.DependsOn(identity, s, _settings.Hops)) is { } hurt)
            {
                indirect = ($"a symptom on '{identity}', which depends on '{hurt}', with symptoms too", true);
            }

            // Symptoms that came before their cause wait for it: the first fault in what they depend on explains them.
            if (!symptom && kind != FaultKind.Change && incident.Causes.Count == 0 && incident.Symptomatic.FirstOrDefault(s => _topology.DependsOn(s, identity, _settings.Hops)) is { } caller)
            {
                return ($"'{caller}', with symptoms in it, depends on '{identity}'", false);
            }
        }

        return indirect;
    }

    private string? Neighbour(OpenIncident incident, List<string> identities)
    {
        foreach (var identity in identities)
        {
            if (incident.Services.FirstOrDefault(s => _topology.Linked(s, identity)) is { } neighbour)
            {
                return $"'{identity}' is linked by spans to '{neighbour}'";
            }
        }

        return null;
    }
}
