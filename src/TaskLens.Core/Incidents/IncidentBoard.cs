using System.Globalization;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Incidents.Learning;

namespace TaskLens.Core.Incidents;

/// <summary>
/// The live incidents of every tenant — open ones, and those closed within the correlation window — with their alerts,
/// and one correlator per tenant over the open ones. Folds deduplicated alerts into incidents and applies triage. Every
/// change is recorded into an <see cref="IncidentWrite"/> for the caller to store; the board moves first, so when the
/// store fails the caller drops the board and loads it again from storage. Not thread-safe: one caller at a time.
/// </summary>
public sealed partial class IncidentBoard(AlertCorrelator.Settings? settings = null, Func<string, WorkloadTopology>? topology = null)
{
    /// <summary>The actor of changes TaskLens makes itself (alerts joining, auto-resolve).</summary>
    public const string System = "tasklens";

    private readonly AlertCorrelator.Settings _settings = settings ?? new AlertCorrelator.Settings();
    private readonly Func<string, WorkloadTopology> _topology = topology ?? (_ => new WorkloadTopology());
    private readonly Dictionary<(string Tenant, string Id), Live> _live = [];
    private readonly Dictionary<(string Tenant, string AlertId), Live> _incidentOfAlert = [];
    private readonly Dictionary<string, AlertCorrelator> _correlators = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GroupingMemory> _memories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _numbers = new(StringComparer.Ordinal);

    public int LiveCount => _live.Count;

    /// <summary>Alerts that would have opened an incident while their tenant had its maximum open (they stay in the intake).</summary>
    public long AlertsNotFolded { get; private set; }

    public Incident? Find(string tenant, string id) => _live.GetValueOrDefault((tenant, id))?.State;

    /// <summary>The alerts of a live incident now, with what correlation knows of them.</summary>
    public IReadOnlyList<(IncidentAlert Membership, bool Firing)> MembersOf(string tenant, string id) =>
        _live.GetValueOrDefault((tenant, id))?.Members.Values.Select(m => (m.Row, m.Firing)).ToList() ?? [];

    /// <summary>Continues incident numbering after the highest number stored per tenant.</summary>
    public void NumberFrom(IReadOnlyDictionary<string, long> lastNumbers)
    {
        foreach (var (tenant, number) in lastNumbers)
        {
            _numbers[tenant] = Math.Max(_numbers.GetValueOrDefault(tenant), number);
        }
    }

    /// <summary>
    /// Takes an incident loaded from storage with its alerts (their current intake state, when known). An open one
    /// takes related alerts again, counted as last active at its latest alert. Membership rows past the incident's
    /// version (a change that failed to store part-way) are not its own. An alert in several incidents is held by
    /// the open one, else the one closed last.
    /// </summary>
    public void Adopt(Incident incident, IEnumerable<(IncidentAlert Membership, AlertState? Alert)> members)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(members);
        var live = new Live(incident);
        foreach (var (row, alert) in members.Where(m => m.Membership.Version <= incident.Version))
        {
            var input = new CorrelationInput(row.AlertId, alert?.Source ?? "", row.JoinedAt, alert?.Title ?? "", alert?.Labels ?? new Dictionary<string, string>());
            live.Members[row.AlertId] = new Member(row, input, alert?.Severity ?? AlertSeverity.Warning, alert is null || alert.Status != AlertStateStatus.Resolved);
            var held = _incidentOfAlert.GetValueOrDefault((incident.Tenant, row.AlertId));
            if (held is null || incident.IsOpen || (!held.State.IsOpen && held.State.UpdatedAt <= incident.UpdatedAt))
            {
                _incidentOfAlert[(incident.Tenant, row.AlertId)] = live;
            }
        }

        // The intake may have moved on while a change was not stored: count what fires now.
        live.State = live.State with { Alerts = live.Members.Count, FiringAlerts = live.Members.Values.Count(m => m.Firing) };
        _live[(incident.Tenant, incident.Id)] = live;
        if (Number(incident.Id) is { } number)
        {
            _numbers[incident.Tenant] = Math.Max(_numbers.GetValueOrDefault(incident.Tenant), number);
        }

        if (incident.IsOpen)
        {
            CorrelatorOf(incident.Tenant).Restore(incident.Id, live.Inputs(), live.Members.Values.Select(m => (DateTimeOffset?)m.Row.JoinedAt).Max());
        }
    }

    /// <summary>Forgets incidents closed longer ago than the correlation window (storage still has them).</summary>
    public void Evict(DateTimeOffset now)
    {
        foreach (var (key, live) in _live.Where(l => !l.Value.State.IsOpen && now - ClosedAt(l.Value.State) > _settings.EffectiveWindow).ToList())
        {
            _live.Remove(key);
            foreach (var alertId in live.Members.Keys)
            {
                if (_incidentOfAlert.GetValueOrDefault((key.Tenant, alertId)) == live)
                {
                    _incidentOfAlert.Remove((key.Tenant, alertId));
                }
            }
        }
    }

    /// <summary>
    /// Folds what the intake accepted into incidents: a new or re-firing alert (or one firing that no live incident
    /// has) is correlated — it joins the most related open incident or opens one (info alerts only join); an alert
    /// resolving is marked, and an incident whose every alert resolved is resolved automatically; an alert firing again
    /// within the window after that reopens it.
    /// </summary>
    public void TakeAlerts(IReadOnlyList<AlertEvent> events, IReadOnlyList<(AlertState State, AlertChange Change)> results, DateTimeOffset now, IncidentWrite write)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(write);
        var touched = new HashSet<Live>();
        for (var i = 0; i < results.Count; i++)
        {
            var (state, change) = results[i];
            var alertId = IncidentAlert.IdOf(state.Source, state.Fingerprint);
            var holder = _incidentOfAlert.GetValueOrDefault((state.Tenant, alertId));
            // What the intake holds now decides, not the kind of change: a retried event (after a failed store) comes
            // as a repeat of what it first did.
            if (state.Status == AlertStateStatus.Resolved)
            {
                if (holder is not null)
                {
                    CorrelatorOf(state.Tenant).Resolved(holder.Members[alertId].Input);
                }

                // Firing as the incident last recorded it counts too: loaded after the intake stored the resolution
                // (on another node, or after a failed change), the incident has yet to record it.
                if (holder is not null && (holder.Members[alertId] is { } held && (held.Firing || held.Row.Firing)
                    ? AlertResolved(holder, alertId, now, write) : ResolveIfQuiet(holder, now, write)))
                {
                    touched.Add(holder);
                }

                continue;
            }

            if (holder is not null && (holder.State.IsOpen || ReopensOnFire(holder, now)))
            {
                var member = holder.Members[alertId];
                if (!member.Firing || !member.Row.Firing)
                {
                    AlertRefired(holder, alertId, state, now, write);
                    touched.Add(holder);
                }
                else if (!holder.State.IsOpen)
                {
                    Reopen(holder, System, $"alert {alertId} fires", now, write);
                    touched.Add(holder);
                }
                else if (member.Severity != state.Severity)
                {
                    holder.Members[alertId] = member with { Severity = state.Severity };
                    Record(holder, IncidentEventKind.AlertUpdated, now, System, write, "severity " + state.Severity.ToString().ToLowerInvariant(), alertId);
                    Refresh(holder);
                    touched.Add(holder);
                }

                continue;
            }

            if (state.Severity == AlertSeverity.Info && !HasOpenIncident(state.Tenant))
            {
                continue;
            }

            var input = new CorrelationInput(alertId, state.Source, CorrelationTime(events[i]), state.Title, state.Labels);
            if (Correlate(input, state, now, write) is { } live)
            {
                touched.Add(live);
            }
        }

        foreach (var live in touched)
        {
            write.States.Add(live.State);
        }
    }

    /// <summary>
    /// When the alert happened for correlation: the source's start time when it is believable (not ahead of our clock
    /// by more than a minute), else when it was received. Sources batch and retry, so arrival order is not time order.
    /// </summary>
    private static DateTimeOffset CorrelationTime(AlertEvent e) =>
        e.StartsAt > DateTimeOffset.UnixEpoch && e.StartsAt <= e.ReceivedAt + TimeSpan.FromMinutes(1) ? e.StartsAt : e.ReceivedAt;

    private static long? Number(string id) =>
        id.StartsWith("inc-", StringComparison.Ordinal) && long.TryParse(id.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private bool HasOpenIncident(string tenant) => _live.Values.Any(l => l.State.Tenant == tenant && l.State.IsOpen);

    private AlertCorrelator CorrelatorOf(string tenant)
    {
        if (!_correlators.TryGetValue(tenant, out var correlator))
        {
            correlator = new AlertCorrelator(_settings, _topology(tenant)) { Memory = MemoryOf(tenant) };
            _correlators[tenant] = correlator;
        }

        return correlator;
    }

    /// <summary>What people's merges and splits taught about the tenant's alerts (<see cref="GroupingMemory"/>).</summary>
    public GroupingMemory MemoryOf(string tenant)
    {
        if (!_memories.TryGetValue(tenant, out var memory))
        {
            _memories[tenant] = memory = new GroupingMemory(new GroupingMemory.Settings(_settings.JoinThreshold));
        }

        return memory;
    }

    /// <summary>Learns stored decisions (at load), per tenant.</summary>
    public void Learn(IReadOnlyList<GroupingDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        foreach (var tenant in decisions.GroupBy(d => d.Tenant, StringComparer.Ordinal))
        {
            MemoryOf(tenant.Key).Learn([.. tenant]);
        }
    }

    private Live? Correlate(CorrelationInput input, AlertState state, DateTimeOffset now, IncidentWrite write)
    {
        var correlator = CorrelatorOf(state.Tenant);
        var (join, score, why) = correlator.Decide(input);
        if (join is not null && _live.GetValueOrDefault((state.Tenant, join)) is { } live)
        {
            correlator.Take(join, input);
            AddMember(live, input, state.Severity, score, why, now, System, write);
            return live;
        }

        if (state.Severity == AlertSeverity.Info)
        {
            return null;
        }

        if (_live.Values.Count(l => l.State.Tenant == state.Tenant && l.State.IsOpen) >= _settings.MaxOpenIncidents)
        {
            AlertsNotFolded++;
            return null;
        }

        var opened = Open(state.Tenant, state.Title, now, write, $"opened by alert {input.AlertId}");
        correlator.Open(opened.State.Id, input);
        AddMember(opened, input, state.Severity, 0, why, now, System, write);
        return opened;
    }

    private Live Open(string tenant, string title, DateTimeOffset now, IncidentWrite write, string why)
    {
        var number = _numbers.GetValueOrDefault(tenant) + 1;
        _numbers[tenant] = number;
        var live = new Live(new Incident
        {
            Tenant = tenant,
            Id = "inc-" + number.ToString(CultureInfo.InvariantCulture),
            Title = title,
            Status = IncidentStatus.Triggered,
            Severity = AlertSeverity.Info,
            OpenedAt = now,
            UpdatedAt = now,
            Version = 0,
        });
        _live[(tenant, live.State.Id)] = live;
        Record(live, IncidentEventKind.Opened, now, System, write, why);
        return live;
    }

    private void AddMember(
        Live live, CorrelationInput input, AlertSeverity severity, double score, string why, DateTimeOffset now, string actor, IncidentWrite write, string otherIncident = "",
        bool firing = true)
    {
        Record(live, IncidentEventKind.AlertJoined, now, actor, write, why, input.AlertId, otherIncident, score);
        var row = new IncidentAlert
        {
            Tenant = live.State.Tenant,
            IncidentId = live.State.Id,
            AlertId = input.AlertId,
            JoinedAt = now,
            Score = score,
            Reason = why,
            Version = live.State.Version,
            Firing = firing,
        };
        live.Members[input.AlertId] = new Member(row, input, severity, firing);
        _incidentOfAlert[(live.State.Tenant, input.AlertId)] = live;
        write.Members.Add(row);
        Refresh(live);
    }

    private static void RemoveMember(Live live, string alertId, DateTimeOffset now, IncidentWrite write)
    {
        var member = live.Members[alertId];
        live.Members.Remove(alertId);
        write.Members.Add(member.Row with { Active = false, Version = live.State.Version, JoinedAt = now });
        Refresh(live);
    }

    private bool AlertResolved(Live live, string alertId, DateTimeOffset now, IncidentWrite write)
    {
        Record(live, IncidentEventKind.AlertResolved, now, System, write, "resolved at its source", alertId);
        SetFiring(live, alertId, false, write);
        Refresh(live);
        ResolveIfQuiet(live, now, write);
        return true;
    }

    /// <summary>Resolves an open incident none of whose alerts fires any more (<c>resolvedBy: auto</c>).</summary>
    private bool ResolveIfQuiet(Live live, DateTimeOffset now, IncidentWrite write)
    {
        if (!live.State.IsOpen || live.Members.Count == 0 || live.Members.Values.Any(m => m.Firing))
        {
            return false;
        }

        Resolve(live, System, "every alert resolved", now, write);
        live.ResolvedAutomatically = true;
        return true;
    }

    /// <summary>An incident that resolved itself reopens when one of its alerts fires within the window after.</summary>
    private bool ReopensOnFire(Live live, DateTimeOffset now) =>
        live.ResolvedAutomatically && live.State.Status == IncidentStatus.Resolved && now - ClosedAt(live.State) <= _settings.EffectiveWindow;

    private static DateTimeOffset ClosedAt(Incident incident) => incident.ResolvedAt ?? incident.UpdatedAt;

    private void AlertRefired(Live live, string alertId, AlertState state, DateTimeOffset now, IncidentWrite write)
    {
        live.Members[alertId] = live.Members[alertId] with { Severity = state.Severity };
        Record(live, IncidentEventKind.AlertRefired, now, System, write, "fired again", alertId);
        SetFiring(live, alertId, true, write);
        if (!live.State.IsOpen)
        {
            Reopen(live, System, $"alert {alertId} fired again", now, write);
        }

        Refresh(live);
    }

    /// <summary>Marks whether a member fires, in memory and in a membership row of the incident's current version.</summary>
    private static void SetFiring(Live live, string alertId, bool firing, IncidentWrite write)
    {
        var member = live.Members[alertId];
        var row = member.Row with { Firing = firing, Version = live.State.Version };
        live.Members[alertId] = member with { Firing = firing, Row = row };
        write.Members.Add(row);
    }

    private TriageResult Resolve(Live live, string actor, string why, DateTimeOffset now, IncidentWrite write)
    {
        if (live.State.IsOpen)
        {
            live.State = live.State with { Status = IncidentStatus.Resolved, ResolvedAt = now, ResolvedBy = actor == System ? "auto" : actor };
            live.ResolvedAutomatically = false;
            Record(live, IncidentEventKind.Resolved, now, actor, write, why);
            CorrelatorOf(live.State.Tenant).Close(live.State.Id);
        }

        return Done(live);
    }

    private TriageResult Reopen(Live live, string actor, string why, DateTimeOffset now, IncidentWrite write)
    {
        if (live.State.Status == IncidentStatus.Resolved)
        {
            live.State = live.State with { Status = IncidentStatus.Triggered, ResolvedAt = null, ResolvedBy = "", AcknowledgedAt = null };
            live.ResolvedAutomatically = false;
            Record(live, IncidentEventKind.Reopened, now, actor, write, why);
            CorrelatorOf(live.State.Tenant).Restore(live.State.Id, live.Inputs(), now);
        }

        return Done(live);
    }

    /// <summary>Records that a brief was written for an incident held here; false when it is not held (closed long ago).</summary>
    public bool RecordBrief(string tenant, string id, string text, DateTimeOffset now, IncidentWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (!_live.TryGetValue((tenant, id), out var live))
        {
            return false;
        }

        Record(live, IncidentEventKind.BriefWritten, now, System, write, text);
        write.States.Add(live.State);
        return true;
    }

    /// <summary>Counts, goals, services and (unless a person set it) severity from the incident's alerts.</summary>
    private static void Refresh(Live live)
    {
        var members = live.Members.Values;
        live.State = live.State with
        {
            Alerts = members.Count,
            FiringAlerts = members.Count(m => m.Firing),
            Goals = members.Select(m => m.Input.Goal).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            Services = members.Select(m => m.Input.Service).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            Severity = live.State.SeveritySetByPerson || members.Count == 0 ? live.State.Severity : members.Max(m => m.Severity),
        };
    }

    private static void Record(
        Live live, IncidentEventKind kind, DateTimeOffset now, string actor, IncidentWrite write, string text = "", string alertId = "", string otherIncident = "", double score = 0)
    {
        var version = live.State.Version + 1;
        live.State = live.State with
        {
            Version = version,
            TriageVersion = IncidentEventKinds.IsTriage(kind) ? version : live.State.TriageVersion,
            UpdatedAt = now,
        };
        write.Events.Add(new IncidentEvent
        {
            Tenant = live.State.Tenant,
            IncidentId = live.State.Id,
            Version = version,
            Kind = kind,
            At = now,
            Actor = actor,
            Text = text,
            AlertId = alertId,
            OtherIncident = otherIncident,
            Score = score,
        });
    }

    private sealed class Live(Incident state)
    {
        public Incident State { get; set; } = state;

        /// <summary>Resolved by its last alert resolving (not by a person): an alert firing again reopens it.</summary>
        public bool ResolvedAutomatically { get; set; } = state.ResolvedBy == "auto";

        public Dictionary<string, Member> Members { get; } = new(StringComparer.Ordinal);

        public List<CorrelationInput> Inputs() => Members.Values.Select(m => m.Input).ToList();
    }

    private sealed record Member(IncidentAlert Row, CorrelationInput Input, AlertSeverity Severity, bool Firing);
}
