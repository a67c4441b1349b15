namespace TaskLens.Core.Alerts.Intake;

/// <summary>What one event did to its alert.</summary>
public enum AlertChange
{
    /// <summary>First heard of, firing.</summary>
    Opened,

    /// <summary>Fired again after it was resolved: counted as a re-fire.</summary>
    Refired,

    /// <summary>Still firing (a source repeating its notification) or acknowledged again: details refreshed only.</summary>
    Repeated,
    Acknowledged,
    Resolved,

    /// <summary>A resolve for an alert already resolved: nothing changes but the event count.</summary>
    AlreadyResolved,
}

/// <summary>
/// Deduplication: the current state of every alert heard of, by (tenant, source, fingerprint). Applying an event gives
/// the alert's new state and what changed. Thread-safe; one book per process, filled from storage at start.
/// </summary>
/// <remarks>
/// Fingerprints are chosen by senders, so each tenant holds at most <paramref name="maxAlertsPerTenant"/> alerts: past it
/// the tenant's resolved alerts are forgotten, oldest first (storage keeps them; one firing again counts as new), and
/// when every alert held fires a new one is refused (<see cref="AlertRefusedException"/>, 429) and counted.
/// </remarks>
public sealed class AlertBook(int maxAlertsPerTenant = int.MaxValue)
{
    private readonly Dictionary<(string Tenant, string Source, string Fingerprint), AlertState> _states = [];
    private readonly Dictionary<string, int> _perTenant = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _refused;
    private long _forgotten;

    /// <summary>New alerts refused because their tenant's book was full of firing alerts.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Resolved alerts forgotten to make room for new ones.</summary>
    public long Forgotten => Interlocked.Read(ref _forgotten);

    public int CountOf(string tenant)
    {
        lock (_lock)
        {
            return _perTenant.GetValueOrDefault(tenant);
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _states.Count;
            }
        }
    }

    /// <summary>Keeps states — loaded from storage at start, or planned and now stored; a newer version already held wins.</summary>
    public void Restore(IEnumerable<AlertState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        lock (_lock)
        {
            var grown = new HashSet<string>(StringComparer.Ordinal);
            foreach (var state in states)
            {
                var key = (state.Tenant, state.Source, state.Fingerprint);
                if (!_states.TryGetValue(key, out var held))
                {
                    _perTenant[state.Tenant] = _perTenant.GetValueOrDefault(state.Tenant) + 1;
                    grown.Add(state.Tenant);
                }

                if (held is null || held.Version < state.Version)
                {
                    _states[key] = state;
                }
            }

            foreach (var tenant in grown)
            {
                MakeRoom(tenant, 0);
            }
        }
    }

    public AlertState? Find(string tenant, string source, string fingerprint)
    {
        lock (_lock)
        {
            return _states.GetValueOrDefault((tenant, source, fingerprint));
        }
    }

    /// <summary>Applies the events in order and keeps the states they lead to; returns each one's state and change.</summary>
    public IReadOnlyList<(AlertState State, AlertChange Change)> Apply(IReadOnlyList<AlertEvent> events)
    {
        var results = Plan(events);
        Restore(results.Select(r => r.State));
        return results;
    }

    /// <summary>
    /// What the events would do, in order (a later event of the same alert sees the earlier one), without keeping
    /// anything: the intake keeps the states with <see cref="Restore"/> once they are stored, so a retried event after
    /// a failed store is applied as it was first meant.
    /// </summary>
    public IReadOnlyList<(AlertState State, AlertChange Change)> Plan(IReadOnlyList<AlertEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var results = new List<(AlertState, AlertChange)>(events.Count);
        var planned = new Dictionary<(string, string, string), AlertState>();
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var e in events)
            {
                var key = (e.Tenant, e.Source, e.Fingerprint);
                var held = planned.TryGetValue(key, out var earlier) ? earlier : _states.GetValueOrDefault(key);
                if (held is null)
                {
                    added[e.Tenant] = added.GetValueOrDefault(e.Tenant) + 1;
                    if (!MakeRoom(e.Tenant, added[e.Tenant]))
                    {
                        var refused = events.Where(x => x.Tenant == e.Tenant && !_states.ContainsKey((x.Tenant, x.Source, x.Fingerprint)))
                            .Select(x => (x.Source, x.Fingerprint)).Distinct().Count();
                        Interlocked.Add(ref _refused, refused);
                        throw new AlertRefusedException(429, $"Tenant '{e.Tenant}' has {maxAlertsPerTenant} alerts firing or acknowledged, the most held at once; resolve some first.");
                    }
                }

                var (state, change) = Next(held, e);
                planned[key] = state;
                results.Add((state, change));
            }
        }

        return results;
    }

    /// <summary>
    /// Whether the tenant has room for <paramref name="adding"/> more alerts, forgetting its resolved ones oldest first
    /// (a tenth of the cap at a time, so a flood does not scan the book per alert). Call under the lock.
    /// </summary>
    private bool MakeRoom(string tenant, int adding)
    {
        var held = _perTenant.GetValueOrDefault(tenant);
        if (held + adding <= maxAlertsPerTenant)
        {
            return true;
        }

        var forget = Math.Max(held + adding - maxAlertsPerTenant, Math.Max(1, maxAlertsPerTenant / 10));
        var resolved = _states
            .Where(s => s.Key.Tenant == tenant && s.Value.Status == AlertStateStatus.Resolved)
            .OrderBy(s => s.Value.LastSeen)
            .Take(forget)
            .Select(s => s.Key)
            .ToList();
        foreach (var key in resolved)
        {
            _states.Remove(key);
        }

        _perTenant[tenant] = held - resolved.Count;
        Interlocked.Add(ref _forgotten, resolved.Count);
        return held - resolved.Count + adding <= maxAlertsPerTenant;
    }

    private static (AlertState State, AlertChange Change) Next(AlertState? held, AlertEvent e)
    {
        if (held is null)
        {
            var status = e.Action switch
            {
                AlertAction.Resolve => AlertStateStatus.Resolved,
                AlertAction.Acknowledge => AlertStateStatus.Acknowledged,
                _ => AlertStateStatus.Firing,
            };
            var opened = new AlertState
            {
                Tenant = e.Tenant,
                Source = e.Source,
                Fingerprint = e.Fingerprint,
                Status = status,
                Title = e.Title,
                Message = e.Message,
                Severity = e.Severity,
                Labels = e.Labels,
                Url = e.Url,
                FirstSeen = e.ReceivedAt,
                LastSeen = e.ReceivedAt,
                ResolvedAt = status == AlertStateStatus.Resolved ? e.ReceivedAt : null,
                Fires = status == AlertStateStatus.Firing ? 1 : 0,
                Events = 1,
                Version = 1,
            };
            return (opened, status switch
            {
                AlertStateStatus.Resolved => AlertChange.AlreadyResolved,
                AlertStateStatus.Acknowledged => AlertChange.Acknowledged,
                _ => AlertChange.Opened,
            });
        }

        var refreshed = held with
        {
            Title = e.Title.Length > 0 ? e.Title : held.Title,
            Message = e.Message.Length > 0 ? e.Message : held.Message,
            Severity = e.Action == AlertAction.Trigger ? e.Severity : held.Severity,
            Labels = e.Labels.Count > 0 ? e.Labels : held.Labels,
            Url = e.Url.Length > 0 ? e.Url : held.Url,
            LastSeen = e.ReceivedAt > held.LastSeen ? e.ReceivedAt : held.LastSeen,
            Events = held.Events + 1,
            Version = held.Version + 1,
        };
        return (e.Action, held.Status) switch
        {
            (AlertAction.Trigger, AlertStateStatus.Resolved) =>
                (refreshed with { Status = AlertStateStatus.Firing, ResolvedAt = null, Fires = held.Fires + 1 }, AlertChange.Refired),
            (AlertAction.Trigger, _) => (refreshed, AlertChange.Repeated),
            (AlertAction.Acknowledge, AlertStateStatus.Firing) => (refreshed with { Status = AlertStateStatus.Acknowledged }, AlertChange.Acknowledged),
            (AlertAction.Acknowledge, _) => (refreshed, AlertChange.Repeated),
            (AlertAction.Resolve, AlertStateStatus.Resolved) => (refreshed, AlertChange.AlreadyResolved),
            _ => (refreshed with { Status = AlertStateStatus.Resolved, ResolvedAt = e.ReceivedAt }, AlertChange.Resolved),
        };
    }
}
