using System.Globalization;
using TaskLens.Core.Alerts;
using TaskLens.Core.Incidents.Learning;

namespace TaskLens.Core.Incidents;

// Triage: a person's requests on the board (the alerts' path, state and shared steps are in IncidentBoard.cs).
public sealed partial class IncidentBoard
{
    /// <summary>Applies a person's triage request; see <see cref="TriageIncident"/>.</summary>
    public TriageResult Triage(TriageIncident request, DateTimeOffset now, IncidentWrite write)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(write);
        if (_live.GetValueOrDefault((request.Tenant, request.IncidentId)) is not { } live)
        {
            return new TriageResult(TriageOutcome.NotFound, null, $"No incident '{request.IncidentId}'.");
        }

        if (IsStale(live.State, request.ExpectedVersion))
        {
            return new TriageResult(TriageOutcome.Stale, live.State, StaleReason(live.State, request.ExpectedVersion));
        }

        if (live.State.Status == IncidentStatus.Merged)
        {
            return Refused(live, $"Incident {live.State.Id} was merged into {live.State.MergedInto}; triage that one.");
        }

        var before = live.State.Version;
        var result = request.Action switch
        {
            TriageAction.Acknowledge => Acknowledge(live, request, now, write),
            TriageAction.Resolve => Resolve(live, request.Actor, "", now, write),
            TriageAction.Reopen => Reopen(live, request.Actor, "", now, write),
            TriageAction.Assign => Assign(live, request, now, write),
            TriageAction.Note => Note(live, request, now, write),
            TriageAction.Severity => SetSeverity(live, request, now, write),
            TriageAction.Merge => Merge(live, request, now, write),
            TriageAction.Split => Split(live, request, now, write),
            _ => Refused(live, $"Unknown action {request.Action}."),
        };
        if (result.Outcome == TriageOutcome.Done && live.State.Version != before)
        {
            write.States.Add(live.State);
        }

        return result.Outcome == TriageOutcome.Done && live.State.Version == before ? result with { Outcome = TriageOutcome.Unchanged } : result;
    }

    /// <summary>Stale: a triage change came after the version the person saw (or the version was never reached).</summary>
    public static bool IsStale(Incident incident, long expectedVersion) =>
        expectedVersion < incident.TriageVersion || expectedVersion > incident.Version;

    private static string StaleReason(Incident incident, long expected) => expected > incident.Version
        ? string.Create(CultureInfo.InvariantCulture, $"Incident {incident.Id} has no version {expected}; it is at version {incident.Version}.")
        : string.Create(CultureInfo.InvariantCulture, $"Incident {incident.Id} was triaged after version {expected}; it is at version {incident.Version}.");

    private static TriageResult Done(Live live, Incident? created = null) => new(TriageOutcome.Done, live.State, "", created);

    private static TriageResult Refused(Live live, string reason) => new(TriageOutcome.Refused, live.State, reason);

    private static TriageResult Acknowledge(Live live, TriageIncident request, DateTimeOffset now, IncidentWrite write)
    {
        if (live.State.Status == IncidentStatus.Resolved)
        {
            return Refused(live, $"Incident {live.State.Id} is resolved; reopen it to acknowledge it.");
        }

        if (live.State.Status == IncidentStatus.Triggered)
        {
            live.State = live.State with { Status = IncidentStatus.Acknowledged, AcknowledgedAt = now };
            Record(live, IncidentEventKind.Acknowledged, now, request.Actor, write);
        }

        return Done(live);
    }

    private static TriageResult Assign(Live live, TriageIncident request, DateTimeOffset now, IncidentWrite write)
    {
        var assignee = request.Text.Trim();
        if (assignee.Length > 200)
        {
            return Refused(live, "An assignee is at most 200 characters.");
        }

        if (assignee != live.State.Assignee)
        {
            live.State = live.State with { Assignee = assignee };
            Record(live, IncidentEventKind.Assigned, now, request.Actor, write, assignee);
        }

        return Done(live);
    }

    private static TriageResult Note(Live live, TriageIncident request, DateTimeOffset now, IncidentWrite write)
    {
        var text = request.Text.Trim();
        if (text.Length is 0 or > 10_000)
        {
            return Refused(live, "A note has 1 to 10,000 characters.");
        }

        Record(live, IncidentEventKind.Noted, now, request.Actor, write, text);
        return Done(live);
    }

    private static TriageResult SetSeverity(Live live, TriageIncident request, DateTimeOffset now, IncidentWrite write)
    {
        if (request.Severity is not { } severity)
        {
            return Refused(live, "Name the severity: info, warning or critical.");
        }

        if (severity != live.State.Severity || !live.State.SeveritySetByPerson)
        {
            live.State = live.State with { Severity = severity, SeveritySetByPerson = true };
            Record(live, IncidentEventKind.SeverityChanged, now, request.Actor, write, severity.ToString().ToLowerInvariant());
        }

        return Done(live);
    }

    private TriageResult Merge(Live into, TriageIncident request, DateTimeOffset now, IncidentWrite write)
    {
        if (!into.State.IsOpen)
        {
            return Refused(into, $"Incident {into.State.Id} is resolved; reopen it before merging into it.");
        }

        if (request.MergeFrom.Count == 0)
        {
            return Refused(into, "Name the incidents to merge into this one.");
        }

        var sources = new List<Live>();
        foreach (var (id, version) in request.MergeFrom)
        {
            if (id == into.State.Id || sources.Any(s => s.State.Id == id))
            {
                return Refused(into, $"Incident {id} is named twice or is the one merged into.");
            }

            if (_live.GetValueOrDefault((into.State.Tenant, id)) is not { } source)
            {
                return new TriageResult(TriageOutcome.NotFound, into.State, $"No incident '{id}' to merge.");
            }

            if (IsStale(source.State, version))
            {
                return new TriageResult(TriageOutcome.Stale, source.State, StaleReason(source.State, version));
            }

            if (source.State.Status == IncidentStatus.Merged)
            {
                return Refused(into, $"Incident {id} was merged into {source.State.MergedInto} already.");
            }

            sources.Add(source);
        }

        var correlator = CorrelatorOf(into.State.Tenant);
        var decided = Decisions(into.State.Tenant, correlator, [.. sources.SelectMany(s => s.Members.Values.Select(m => m.Input))], [.. into.Members.Values.Select(m => m.Input)], together: true, now, request.Actor);
        foreach (var source in sources)
        {
            Record(into, IncidentEventKind.MergedFrom, now, request.Actor, write, source.State.Title, otherIncident: source.State.Id);

            // Recorded before the alerts leave, so each leaving row has a later version than the row it ends.
            Record(source, IncidentEventKind.MergedInto, now, request.Actor, write, into.State.Title, otherIncident: into.State.Id);
            foreach (var member in source.Members.Values.ToList())
            {
                RemoveMember(source, member.Row.AlertId, now, write);
                AddMember(into, member.Input, member.Severity, 1, $"merged from {source.State.Id} by {request.Actor}", now, request.Actor, write, source.State.Id, member.Firing);
            }

            source.State = source.State with { Status = IncidentStatus.Merged, MergedInto = into.State.Id };
            correlator.Close(source.State.Id);
            write.States.Add(source.State);
        }

        Refresh(into);
        Remember(into.State.Tenant, decided, write);
        correlator.Restore(into.State.Id, into.Inputs(), now);
        ResolveIfQuiet(into, now, write);
        return Done(into);
    }

    private TriageResult Split(Live from, TriageIncident request, DateTimeOffset now, IncidentWrite write)
    {
        var leaving = request.AlertIds.Distinct(StringComparer.Ordinal).ToList();
        if (leaving.Count == 0 || leaving.Count >= from.Members.Count)
        {
            return Refused(from, "Name one or more of the incident's alerts to split off, leaving at least one.");
        }

        if (leaving.FirstOrDefault(a => !from.Members.ContainsKey(a)) is { } stranger)
        {
            return Refused(from, $"Alert '{stranger}' does not belong to incident {from.State.Id}.");
        }

        var moved = leaving.Select(a => from.Members[a]).ToList();
        var decided = Decisions(
            from.State.Tenant, CorrelatorOf(from.State.Tenant), [.. moved.Select(m => m.Input)], [.. from.Members.Values.Where(m => !leaving.Contains(m.Row.AlertId)).Select(m => m.Input)],
            together: false, now, request.Actor);
        Remember(from.State.Tenant, decided, write);
        var title = request.Text.Trim().Length > 0 ? request.Text.Trim() : moved[0].Input.Title;
        var created = Open(from.State.Tenant, title, now, write, $"split from {from.State.Id} by {request.Actor}");
        Record(created, IncidentEventKind.SplitFrom, now, request.Actor, write, from.State.Title, otherIncident: from.State.Id);
        foreach (var member in moved)
        {
            Record(from, IncidentEventKind.AlertSplitOff, now, request.Actor, write, created.State.Title, member.Row.AlertId, created.State.Id);
            RemoveMember(from, member.Row.AlertId, now, write);
            AddMember(created, member.Input, member.Severity, 1, $"split from {from.State.Id} by {request.Actor}", now, request.Actor, write, from.State.Id, member.Firing);
        }

        Refresh(created);
        if (!from.State.IsOpen)
        {
            created.State = created.State with { Status = IncidentStatus.Resolved, ResolvedAt = now, ResolvedBy = request.Actor };
            Record(created, IncidentEventKind.Resolved, now, request.Actor, write, $"split from resolved {from.State.Id}");
        }
        else
        {
            var correlator = CorrelatorOf(from.State.Tenant);
            correlator.Restore(from.State.Id, from.Inputs(), now);
            correlator.Restore(created.State.Id, created.Inputs(), now);

            // Either side may now hold only resolved alerts: it resolves, as when its last alert resolves.
            ResolveIfQuiet(from, now, write);
            ResolveIfQuiet(created, now, write);
        }

        write.States.Add(created.State);
        return Done(from, created.State);
    }

    /// <summary>At most this many pairs of kinds are remembered from one merge or split.</summary>
    private const int MaxDecisionsPerChange = 200;

    /// <summary>
    /// What a merge (together) or split (apart) says about pairs of alert kinds: one decision per distinct pair of
    /// kinds across the two sides, with the pair's features as they were before the change.
    /// </summary>
    private static List<GroupingDecision> Decisions(
        string tenant, AlertCorrelator correlator, List<CorrelationInput> one, List<CorrelationInput> other, bool together, DateTimeOffset now, string actor)
    {
        var decided = new List<GroupingDecision>();
        var seen = new HashSet<(string, string)>();
        foreach (var a in one)
        {
            foreach (var b in other)
            {
                var (kindA, kindB) = (AlertKind.Of(a), AlertKind.Of(b));
                if (kindA != kindB && decided.Count < MaxDecisionsPerChange && seen.Add(AlertKind.Pair(kindA, kindB)))
                {
                    decided.Add(new GroupingDecision(tenant, now, actor, kindA, kindB, together, correlator.FeaturesOf(a, b)));
                }
            }
        }

        return decided;
    }

    private void Remember(string tenant, List<GroupingDecision> decided, IncidentWrite write)
    {
        MemoryOf(tenant).Learn(decided);
        write.Decisions.AddRange(decided);
    }
}
