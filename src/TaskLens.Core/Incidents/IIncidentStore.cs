using TaskLens.Core.Alerts;
using TaskLens.Core.Incidents.Learning;

namespace TaskLens.Core.Incidents;

/// <summary>
/// Storage of incidents: the timeline (append-only), alert memberships and the current state, each tenant's incidents
/// with a head version that every change moves by one (compare-and-set), so writers on several nodes take turns.
/// </summary>
public interface IIncidentStore
{
    /// <summary>
    /// Stores a change as a whole or not at all: each tenant's head must still be at <see cref="IncidentWrite.Heads"/>
    /// and each incident at the version before the change's first entry, else <see cref="StateConflictException"/>;
    /// throws as well when the change cannot be stored.
    /// </summary>
    Task WriteAsync(IncidentWrite write, CancellationToken cancellationToken);

    /// <summary>Each tenant's head version (tenants without incidents are absent: version 0).</summary>
    Task<IReadOnlyDictionary<string, long>> HeadsAsync(CancellationToken cancellationToken);

    /// <summary>Every tenant's incidents that are open, or were resolved or merged since <paramref name="closedSince"/>.</summary>
    Task<IReadOnlyList<Incident>> LiveAsync(DateTimeOffset closedSince, CancellationToken cancellationToken);

    /// <summary>The highest incident number used per tenant (incident ids are <c>inc-N</c>).</summary>
    Task<IReadOnlyDictionary<string, long>> LastNumbersAsync(CancellationToken cancellationToken);

    Task<Incident?> FindAsync(string tenant, string id, CancellationToken cancellationToken);

    /// <summary>Those of the named incidents that are stored, in one read.</summary>
    Task<IReadOnlyList<Incident>> FindAsync(string tenant, IReadOnlyCollection<string> ids, CancellationToken cancellationToken);

    Task<IReadOnlyList<Incident>> ListAsync(IncidentQuery query, CancellationToken cancellationToken);

    /// <summary>The alerts that belong to the incidents now (latest membership row per incident and alert, active).</summary>
    Task<IReadOnlyList<IncidentAlert>> MembersAsync(string tenant, IReadOnlyCollection<string> incidentIds, CancellationToken cancellationToken);

    /// <summary>An incident's timeline, oldest first.</summary>
    Task<IReadOnlyList<IncidentEvent>> TimelineAsync(string tenant, string id, CancellationToken cancellationToken);

    /// <summary>People's merge and split decisions on pairs of alert kinds, the newest <paramref name="perTenant"/> of each tenant, oldest first.</summary>
    Task<IReadOnlyList<GroupingDecision>> DecisionsAsync(int perTenant, CancellationToken cancellationToken);
}

/// <summary>
/// What one change to incidents stores: new timeline entries, membership rows and the incidents' new states, and the
/// head version of each tenant it was decided on.
/// </summary>
public sealed record IncidentWrite(List<IncidentEvent> Events, List<IncidentAlert> Members, List<Incident> States)
{
    public IncidentWrite()
        : this([], [], [])
    {
    }

    /// <summary>What people's merges and splits decided about pairs of alert kinds (learnt grouping).</summary>
    public List<GroupingDecision> Decisions { get; } = [];

    /// <summary>The head version each tenant had when the change was decided (absent: 0, no incident yet).</summary>
    public Dictionary<string, long> Heads { get; } = new(StringComparer.Ordinal);

    /// <summary>The tenants the change touches.</summary>
    public IReadOnlyCollection<string> Tenants =>
        Events.Select(e => e.Tenant).Concat(Members.Select(m => m.Tenant)).Concat(States.Select(s => s.Tenant))
            .Concat(Decisions.Select(d => d.Tenant)).ToHashSet(StringComparer.Ordinal);

    public bool IsEmpty => Events.Count == 0 && Members.Count == 0 && States.Count == 0 && Decisions.Count == 0;
}

/// <summary>
/// A page of one tenant's incidents opened by To (to the second) that are open or were updated since From, newest first.
/// </summary>
public sealed record IncidentQuery(
    string Tenant, DateTimeOffset From, DateTimeOffset To, IncidentStatus? Status, AlertSeverity? Severity, string? Goal, string? Service, int Limit);
