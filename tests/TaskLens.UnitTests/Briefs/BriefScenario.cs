using TaskLens.Briefs.Facts;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Briefs;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;
using TaskLens.Core.Traces;

namespace TaskLens.UnitTests.Briefs;

/// <summary>
/// Builds the evidence of one incident as storage would answer it: a service topology (calls seen in spans), per-minute
/// service figures, goal steps, error messages, versions and alerts, at minutes relative to the onset. Shared by the
/// golden tests and the evaluation (linked into TaskLens.Benchmarks).
/// </summary>
internal sealed class BriefScenario(string name, string incidentId = "inc-7")
{
    public static readonly DateTimeOffset Onset = new(2026, 11, 30, 3, 0, 0, TimeSpan.Zero);

    private readonly List<(IncidentAlert, AlertState?)> _alerts = [];
    private readonly List<IncidentEvent> _timeline = [];
    private readonly List<ServiceLink> _links = [];
    private readonly Dictionary<string, List<OperationFigures>> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<GoalFigures>> _goals = new(StringComparer.Ordinal);
    private readonly List<ErrorMessageGroup> _errors = [];
    private readonly List<ServiceVersionSeen> _versions = [];
    private readonly List<SampleTrace> _samples = [];
    private readonly HashSet<string> _incidentServices = new(StringComparer.Ordinal);
    private readonly HashSet<string> _incidentGoals = new(StringComparer.Ordinal);
    private AlertSeverity _severity = AlertSeverity.Warning;

    public string Name { get; } = name;

    /// <summary>The minutes the evidence covers after the onset (now is Onset + this).</summary>
    public int Minutes { get; set; } = 20;

    /// <summary>The calls of the topology so far (caller, callee).</summary>
    public IEnumerable<(string Caller, string Callee)> Calls => _links.Select(l => (l.Caller, l.Callee));

    public static DateTimeOffset At(double minutes) => Onset.AddMinutes(minutes);

    public BriefScenario Call(string caller, string callee, long calls = 100)
    {
        _links.Add(new ServiceLink("default", caller, callee, calls));
        return this;
    }

    /// <summary>An alert on a service and/or goal, first seen at <paramref name="minute"/> after the onset.</summary>
    public BriefScenario Alert(
        string fingerprint, string title, double minute, string? service = null, string? goal = null, string? metric = null,
        AlertSeverity severity = AlertSeverity.Warning, string source = "alertmanager", string message = "", string? runbook = null)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["alertname"] = title };
        if (service is not null)
        {
            labels["service"] = service;
            _incidentServices.Add(service);
        }

        if (goal is not null)
        {
            labels["goal"] = goal;
            _incidentGoals.Add(goal);
        }

        if (metric is not null)
        {
            labels["metric"] = metric;
        }

        if (runbook is not null)
        {
            labels["runbook_url"] = runbook;
        }

        var id = IncidentAlert.IdOf(source, fingerprint);
        var first = At(minute);
        _severity = severity > _severity ? severity : _severity;
        _alerts.Add((
            new IncidentAlert { Tenant = "default", IncidentId = incidentId, AlertId = id, JoinedAt = first.AddSeconds(30), Reason = "same time", Version = _timeline.Count + 1 },
            new AlertState
            {
                Tenant = "default", Source = source, Fingerprint = fingerprint, Status = AlertStateStatus.Firing, Title = title, Message = message, Severity = severity,
                Labels = labels, FirstSeen = first, LastSeen = At(Minutes - 1), Fires = 1, Events = 3, Version = 1,
            }));
        _timeline.Add(new IncidentEvent
        {
            Tenant = "default", IncidentId = incidentId, Version = _timeline.Count + 1, Kind = _timeline.Count == 0 ? IncidentEventKind.Opened : IncidentEventKind.AlertJoined,
            At = first.AddSeconds(30), Actor = IncidentBoard.System, AlertId = id, Text = _timeline.Count == 0 ? "" : "same time",
        });
        return this;
    }

    public BriefScenario Triage(IncidentEventKind kind, double minute, string actor, string text = "", string other = "")
    {
        _timeline.Add(new IncidentEvent
        {
            Tenant = "default", IncidentId = incidentId, Version = _timeline.Count + 1, Kind = kind, At = At(minute), Actor = actor, Text = text, OtherIncident = other,
        });
        return this;
    }

    /// <summary>
    /// One service's minutes over the hour before the onset and after it: <paramref name="requests"/> spans a minute, the
    /// normal errors and p95; from <paramref name="faultFrom"/> on, the fault's (its load from <paramref name="loadFrom"/>, when given).
    /// </summary>
    public BriefScenario Service(
        string service, long requests, long errors, double p95Ms, double? faultFrom = null, long faultErrors = 0, double faultP95Ms = 0, long faultRequests = 0,
        double? loadFrom = null)
    {
        var minutes = new List<OperationFigures>();
        for (var m = -60; m < Minutes; m++)
        {
            var faulty = faultFrom is { } f && m >= f;
            var loaded = (loadFrom ?? faultFrom) is { } l && m >= l;
            minutes.Add(new OperationFigures
            {
                Service = service, Operation = "", Time = At(m), Span = TimeSpan.FromMinutes(1), Spans = loaded && faultRequests > 0 ? faultRequests : requests + Math.Abs(m % 3),
                Errors = faulty ? faultErrors : (m % 7 == 0 ? errors + 1 : errors), DurationP95Ms = faulty && faultP95Ms > 0 ? faultP95Ms : p95Ms + Math.Abs(m % 5),
            });
        }

        _services[service] = minutes;
        return this;
    }

    /// <summary>One goal's 5-minute steps: runs ended per step, completion rate and cost per step, then the fault's from <paramref name="faultFrom"/>.</summary>
    public BriefScenario Goal(string goal, long runs, double rate, double cost, double? faultFrom = null, double faultRate = 0, double faultCost = 0)
    {
        var steps = new List<GoalFigures>();
        for (var m = -60; m < Minutes; m += 5)
        {
            var faulty = faultFrom is { } f && m >= f;
            var r = faulty ? faultRate : rate - (Math.Abs(m % 15) * 0.002);
            var completed = (long)Math.Round(runs * r);
            steps.Add(new GoalFigures
            {
                GoalName = goal, Time = At(m), Started = runs, Completed = completed, Failed = runs - completed, Cost = faulty ? faultCost : cost,
                InputTokens = (long)((faulty ? faultCost : cost) * 100_000), OutputTokens = (long)((faulty ? faultCost : cost) * 20_000),
            });
        }

        _goals[goal] = steps;
        return this;
    }

    public BriefScenario Errors(string service, string kind, string text, long count, double firstMinute, double lastMinute, string trace = "")
    {
        _errors.Add(new ErrorMessageGroup(service, kind, text, count, At(firstMinute), At(lastMinute), trace));
        return this;
    }

    public BriefScenario Version(string service, string version, double firstMinute, double lastMinute, long spans = 1000)
    {
        _versions.Add(new ServiceVersionSeen(service, version, At(firstMinute), At(lastMinute), spans));
        return this;
    }

    public BriefScenario Sample(string service, string traceId, string span, string message, double minute)
    {
        _samples.Add(new SampleTrace(service, traceId, span, message, At(minute)));
        return this;
    }

    public IncidentEvidence Build()
    {
        var opened = _alerts.Select(a => a.Item1.JoinedAt).DefaultIfEmpty(Onset).Min();
        var incident = new Incident
        {
            Tenant = "default", Id = incidentId, Title = _alerts.Select(a => a.Item2!.Title).FirstOrDefault() ?? Name, Status = IncidentStatus.Triggered, Severity = _severity,
            Goals = _incidentGoals.Order(StringComparer.Ordinal).ToList(), Services = _incidentServices.Order(StringComparer.Ordinal).ToList(),
            Alerts = _alerts.Count, FiringAlerts = _alerts.Count, OpenedAt = opened, UpdatedAt = At(Minutes - 1), Version = _timeline.Count,
        };
        var goals = _goals.Keys.Where(_incidentGoals.Contains).Select(g => new GoalFigures { GoalName = g, Time = Onset }).ToList();
        // The services the collector reads: the incident's, what they call and the other callers of those.
        var serviceNames = OriginCandidates.Of(_incidentServices, [], _links).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return new IncidentEvidence
        {
            Detail = new IncidentDetail(incident, _alerts, _timeline, goals, _samples),
            Onset = _alerts.Select(a => a.Item2!.FirstSeen).DefaultIfEmpty(Onset).Min(),
            BaselineFrom = _alerts.Select(a => a.Item2!.FirstSeen).DefaultIfEmpty(Onset).Min() - TimeSpan.FromHours(1),
            Until = At(Minutes),
            GoalSeries = _goals.Where(g => _incidentGoals.Contains(g.Key)).ToDictionary(g => g.Key, g => (IReadOnlyList<GoalFigures>)g.Value, StringComparer.Ordinal),
            ServiceSeries = _services.Where(s => serviceNames.Contains(s.Key)).ToDictionary(s => s.Key, s => (IReadOnlyList<OperationFigures>)s.Value, StringComparer.Ordinal),
            Errors = _errors.Where(e => serviceNames.Contains(e.Service)).ToList(),
            Versions = _versions.Where(v => serviceNames.Contains(v.Service)).ToList(),
            Links = _links,
        };
    }
}
