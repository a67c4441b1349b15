using System.Globalization;

namespace TaskLens.Core.Incidents;

/// <summary>Why an alert joined an incident (or opened one), in words, with the score that decided it.</summary>
public sealed record CorrelationReason(string IncidentId, bool Opened, double Score, string Why);

/// <summary>
/// Folds alerts, in time order, into incidents. A repeat notification of an alert already in an open incident joins
/// it. Otherwise an alert joins the open incident it is most related to, if any is related enough
/// (<see cref="Settings.JoinThreshold"/>): relatedness is the same goal (1.0), the same workload (0.9: the Kubernetes
/// workload, machine or service its labels name, <see cref="Workload"/>) or a workload linked to one of the incident's
/// by spans — calls, or the machine it runs on (<see cref="Settings.LinkWeight"/>, not enough alone) — plus a share of
/// the TF-IDF cosine of its words with the incident's alerts' — which also picks between two incidents sharing a
/// workload; with nothing shared, the cosine alone, if at least <see cref="Settings.TextThreshold"/>. Words never join
/// an alert naming a workload the incident's workloads have nothing to do with: the same alert name on unrelated
/// workloads is two troubles. An incident takes new alerts while one of its alerts still fires (for at most
/// <see cref="Settings.FiringWindow"/> after its last one: a slow burn re-notifies seldom), then for
/// <see cref="Settings.Window"/> after its last one.
/// Every decision is recorded with its reason.
/// </summary>
/// <param name="linked">Whether two identities are linked (calls, or a machine and what runs on it).</param>
/// <param name="canonical">The identity a bare service name stands for (<see cref="WorkloadTopology.Canonical"/>); itself when unknown.</param>
public sealed class AlertCorrelator(AlertCorrelator.Settings? settings = null, Func<string, string, bool>? linked = null, Func<string, string>? canonical = null)
{
    private readonly Settings _settings = settings ?? new Settings();
    private readonly Func<string, string, bool> _linked = linked ?? ((_, _) => false);
    private readonly Func<string, string> _canonical = canonical ?? (s => s);
    private readonly TextVectors _text = new((settings ?? new Settings()).MaxWords);
    private readonly List<OpenIncident> _open = [];
    private int _next;

    /// <param name="Window">How long after its last alert an incident still takes new ones.</param>
    /// <param name="JoinThreshold">The least relatedness that joins an alert to an incident.</param>
    /// <param name="TextThreshold">The least cosine of words that joins on words alone.</param>
    /// <param name="LinkWeight">Relatedness of a service linked by spans to one of the incident's: alone, below the threshold.</param>
    /// <param name="TextWeight">How much similar words add to a shared goal, service or link (and pick between incidents).</param>
    /// <param name="FiringWindow">
    /// How long after its last alert an incident whose alerts still fire takes new ones (unset: as <paramref name="Window"/>).
    /// </param>
    /// <param name="MaxWords">Distinct words learnt per tenant (senders choose them); later new words weigh as never seen.</param>
    /// <param name="MaxOpenIncidents">Open incidents per tenant; past it an alert that would open one is kept by the intake, in no incident, and counted.</param>
    public sealed record Settings(
        TimeSpan? Window = null, double JoinThreshold = 0.7, double TextThreshold = 0.6, double LinkWeight = 0.45, double TextWeight = 0.5, TimeSpan? FiringWindow = null,
        int MaxWords = 100_000, int MaxOpenIncidents = 1_000)
    {
        public TimeSpan EffectiveWindow => Window ?? TimeSpan.FromMinutes(15);

        /// <summary>The firing window, never shorter than the window (unset: the window, so firing alone keeps nothing open longer).</summary>
        public TimeSpan EffectiveFiringWindow => FiringWindow is { } f && f > EffectiveWindow ? f : EffectiveWindow;
    }

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

        OpenIncident? best = null;
        var bestScore = 0.0;
        var bestWhy = "";
        foreach (var incident in _open)
        {
            var (score, why) = Relatedness(incident, alert, vector);
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
        opened.Take(alert, IdentityOf(alert), _text.Vector(WordsOf(alert)));
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

        incident.Take(alert, IdentityOf(alert), _text.Vector(WordsOf(alert)));
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
            incident.Take(alert, IdentityOf(alert), _text.Vector(words));
        }

        incident.KeepActiveUntil(lastActive);
        _open.Add(incident);
    }

    private static List<string> WordsOf(CorrelationInput alert) =>
        TextVectors.Words(alert.Title + " " + alert.Labels.GetValueOrDefault("alertname", ""));

    private string? IdentityOf(CorrelationInput alert) => alert.Identity is { } identity ? _canonical(identity) : null;

    private (double Score, string Why) Relatedness(OpenIncident incident, CorrelationInput alert, Dictionary<string, double> vector)
    {
        var (structure, why) = (0.0, "");
        var service = IdentityOf(alert);
        if (alert.Goal is { } goal && incident.Goals.Contains(goal))
        {
            (structure, why) = (1.0, $"same goal '{goal}'");
        }
        else if (service is not null && incident.Services.Contains(service))
        {
            (structure, why) = (0.9, $"same workload '{service}'");
        }
        else if (service is not null && incident.Services.FirstOrDefault(s => _linked(s, service) || _linked(service, s)) is { } neighbour)
        {
            (structure, why) = (_settings.LinkWeight, $"'{service}' is linked by spans to '{neighbour}'");
        }

        // Words count unless the alert names a service the incident's services have nothing to do with.
        var unrelated = structure == 0 && service is not null && incident.Services.Count > 0;
        var similarity = unrelated ? 0 : TextVectors.Cosine(vector, incident.Words);
        var words = string.Create(CultureInfo.InvariantCulture, $"similar words to its alerts (cosine {similarity:0.00})");
        if (structure == 0)
        {
            return similarity >= _settings.TextThreshold ? (similarity, words) : (0, "");
        }

        var score = structure + (_settings.TextWeight * similarity);
        return (score, similarity > 0 ? $"{why}; {words}" : why);
    }

    private sealed class OpenIncident(string id)
    {
        public string Id { get; } = id;

        public DateTimeOffset Last { get; private set; }

        public HashSet<string> Goals { get; } = new(StringComparer.Ordinal);

        /// <summary>The workloads, machines or services its alerts are about.</summary>
        public HashSet<string> Services { get; } = new(StringComparer.Ordinal);

        /// <summary>Its alerts' repeat keys (<see cref="CorrelationInput.RepeatKey"/>).</summary>
        public HashSet<string> Repeats { get; } = new(StringComparer.Ordinal);

        /// <summary>The repeat keys of its alerts not resolved yet.</summary>
        public HashSet<string> Firing { get; } = new(StringComparer.Ordinal);

        /// <summary>The sum of its alerts' word vectors (cosine ignores the scale).</summary>
        public Dictionary<string, double> Words { get; } = new(StringComparer.Ordinal);

        public void KeepActiveUntil(DateTimeOffset? time)
        {
            if (time is { } t && t > Last)
            {
                Last = t;
            }
        }

        public void Take(CorrelationInput alert, string? identity, Dictionary<string, double> vector)
        {
            Last = alert.Time > Last ? alert.Time : Last;
            Repeats.Add(alert.RepeatKey);
            Firing.Add(alert.RepeatKey);
            if (alert.Goal is { } goal)
            {
                Goals.Add(goal);
            }

            if (identity is not null)
            {
                Services.Add(identity);
            }

            foreach (var (word, weight) in vector)
            {
                Words[word] = Words.GetValueOrDefault(word) + weight;
            }
        }
    }
}
