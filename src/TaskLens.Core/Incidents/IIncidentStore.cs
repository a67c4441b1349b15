using TaskLens.Core.Alerts;
using TaskLens.Core.Incidents.Learning;

namespace TaskLens.Core.Incidents;

/// <summary>
/// Storage of incidents: the timeline (append-only), alert memberships and the current state (latest version wins).
/// </summary>
public interface IIncidentStore
{
    /// <summary>Stores a change: events first, then memberships, then states; throws when that is not possible.</summary>
    Task WriteAsync(IncidentWrite write, CancellationToken cancellationToken);

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

/// <summary>What one change to incidents stores: new timeline entries, membership rows and the incidents' new states.</summary>
public sealed record IncidentWrite(List<IncidentEvent> Events, List<IncidentAlert> Members, List<Incident> States)
{
    public IncidentWrite()
        : this([], [], [])
    {
    }

    /// <summary>What people's merges and splits decided about pairs of alert kinds (learnt grouping).</summary>
    public List<GroupingDecision> Decisions { get; } = [];

    public bool IsEmpty => Events.Count == 0 && Members.Count == 0 && States.Count == 0 && Decisions.Count == 0;
}

/// <summary>
/// A page of one tenant's incidents opened by To (to the second) that are open or were updated since From, newest first.
/// </summary>
public sealed record IncidentQuery(
    string Tenant, DateTimeOffset From, DateTimeOffset To, IncidentStatus? Status, AlertSeverity? Severity, string? Goal, string? Service, int Limit);
