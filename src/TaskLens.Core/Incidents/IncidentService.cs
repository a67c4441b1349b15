using System.Globalization;
using MediatR;
using Microsoft.Extensions.Logging;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Incidents.Learning;

namespace TaskLens.Core.Incidents;

/// <summary>
/// The writer of incidents in a process: folds accepted alerts in and applies triage, one change at a time, on the
/// <see cref="IncidentBoard"/>; stores each change (timeline, memberships, state) before answering, then publishes the
/// domain events. The board is a cache of the store: loaded on first use, again after a failed store (so memory never
/// runs ahead of storage), and again whenever another node has moved a tenant's head version. Incidents closed long
/// ago are loaded when a person triages them.
/// </summary>
/// <remarks>
/// Several nodes may write one tenant's incidents: each change is stored with compare-and-set on the tenant's head and
/// on each incident's version (<see cref="IIncidentStore.WriteAsync"/>), and decided again on a fresh board when it
/// loses. So alerts of one incident reaching two nodes land in one incident, and of two triage changes made on the
/// version one person saw, the second is stale.
/// </remarks>
public sealed class IncidentService(
    IIncidentStore store,
    IAlertIntakeStore alerts,
    IServiceLinks links,
    IMediator mediator,
    TimeProvider time,
    ILogger<IncidentService> logger,
    AlertCorrelator.Settings? settings = null) : IDisposable
{
    /// <summary>How often a change is decided again after another node's change won; past it the caller gets an error.</summary>
    private const int MaxAttempts = 8;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, long> _heads = new(StringComparer.Ordinal);
    private readonly AlertCorrelator.Settings _settings = settings ?? new AlertCorrelator.Settings();
    private IncidentBoard? _board;

    public void Dispose() => _gate.Dispose();

    /// <summary>Folds alerts the intake accepted (and stored) into incidents; throws when the change cannot be stored.</summary>
    public async Task TakeAlertsAsync(IReadOnlyList<AlertEvent> events, IReadOnlyList<(AlertState State, AlertChange Change)> results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);

        // The tenant's links of recent spans, read once after a start (its own spans only), before its alerts are correlated.
        foreach (var tenant in events.Select(e => e.Tenant).Distinct(StringComparer.Ordinal))
        {
            await links.LoadAsync(tenant, cancellationToken);
        }

        await ChangeAsync(
            (board, now, write) =>
            {
                var before = board.AlertsNotFolded;
                board.TakeAlerts(events, results, now, write);
                if (board.AlertsNotFolded > before && events.Count > 0)
                {
                    CoreLog.OpenIncidentsAtMax(logger, events[0].Tenant, _settings.MaxOpenIncidents, board.AlertsNotFolded);
                }

                return Task.CompletedTask;
            },
            cancellationToken);
    }

    public async Task<TriageResult> TriageAsync(TriageIncident request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Refused before the one writer is waited for: a long list would hold it, and alert intake with it.
        if (request.MergeFrom.Count > TriageIncident.MaxMergeSources)
        {
            return new TriageResult(TriageOutcome.Refused, null,
                string.Create(CultureInfo.InvariantCulture, $"Merge at most {TriageIncident.MaxMergeSources} incidents at once; {request.MergeFrom.Count} were named."));
        }

        TriageResult? result = null;
        await ChangeAsync(
            async (board, now, write) =>
            {
                await AdoptIfClosedLongAgoAsync(board, request.Tenant, request.MergeFrom.Select(m => m.Id).Prepend(request.IncidentId), cancellationToken);
                result = board.Triage(request, now, write);
            },
            cancellationToken);
        if (result!.Outcome == TriageOutcome.Done)
        {
            CoreLog.Triaged(logger, request.IncidentId, request.Tenant, request.Action, request.Actor, result.Incident!.Version);
        }

        return result;
    }

    /// <summary>Adds a brief's entry to the incident's timeline (nothing when the incident is no longer held).</summary>
    public Task RecordBriefAsync(string tenant, string id, string text, CancellationToken cancellationToken) =>
        ChangeAsync((board, now, write) => { board.RecordBrief(tenant, id, text, now, write); return Task.CompletedTask; }, cancellationToken);

    /// <summary>
    /// Runs one change on a board that is current: the stored heads are read first and the board is loaded again when
    /// another node moved one. The change is stored with compare-and-set on those heads; when another node wins in
    /// between, the board is loaded again and the change decided anew on it (a triage request then sees the other
    /// change: stale, 409), up to <see cref="MaxAttempts"/> times.
    /// </summary>
    private async Task ChangeAsync(Func<IncidentBoard, DateTimeOffset, IncidentWrite, Task> change, CancellationToken cancellationToken)
    {
        IncidentWrite write;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                write = new IncidentWrite();
                try
                {
                    var heads = await store.HeadsAsync(cancellationToken);
                    var board = _board is not null && SameHeads(heads, _heads) ? _board : await LoadAsync(heads, cancellationToken);

                    // Whole seconds, as ClickHouse 18.16's DateTime stores them: an answer shows what a later read shows.
                    var now = time.GetUtcNow();
                    now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
                    board.Evict(now);
                    await change(board, now, write);
                    if (write.IsEmpty)
                    {
                        break;
                    }

                    foreach (var tenant in write.Tenants)
                    {
                        write.Heads[tenant] = _heads.GetValueOrDefault(tenant);
                    }

                    await store.WriteAsync(write, cancellationToken);
                    foreach (var (tenant, head) in write.Heads)
                    {
                        _heads[tenant] = head + 1;
                    }

                    break;
                }
                catch (StateConflictException e) when (attempt < MaxAttempts)
                {
                    // Another node changed the tenant's incidents since the board was read: read them again.
                    _board = null;
                    CoreLog.IncidentConflict(logger, attempt, e.Message);
                }
                catch (Exception e)
                {
                    // The board may have moved part of the way: drop it, so the next change starts from what is stored.
                    _board = null;
                    CoreLog.IncidentWriteFailed(logger, e);
                    throw;
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        // The change is stored: its subscribers hear of it even if the caller has given up waiting.
        await PublishAsync(write, CancellationToken.None);
    }

    private static bool SameHeads(IReadOnlyDictionary<string, long> stored, Dictionary<string, long> held) =>
        stored.Count == held.Count && stored.All(h => held.TryGetValue(h.Key, out var v) && v == h.Value);

    private async Task<IncidentBoard> LoadAsync(IReadOnlyDictionary<string, long> heads, CancellationToken cancellationToken)
    {
        // The heads are read before the incidents: a change stored in between makes the next write conflict, not vanish.
        _heads.Clear();
        foreach (var (tenant, head) in heads)
        {
            _heads[tenant] = head;
        }

        var board = new IncidentBoard(_settings, links.Topology);
        board.NumberFrom(await store.LastNumbersAsync(cancellationToken));
        board.Learn(await store.DecisionsAsync(new GroupingMemory.Settings().MaxDecisions, cancellationToken));
        var live = await store.LiveAsync(time.GetUtcNow() - _settings.EffectiveWindow, cancellationToken);
        foreach (var tenant in live.GroupBy(i => i.Tenant))
        {
            var members = await store.MembersAsync(tenant.Key, tenant.Select(i => i.Id).ToList(), cancellationToken);
            var states = await AlertStatesAsync(tenant.Key, members, cancellationToken);
            foreach (var incident in tenant.OrderBy(i => i.OpenedAt))
            {
                board.Adopt(incident, members.Where(m => m.IncidentId == incident.Id).Select(m => (m, states.GetValueOrDefault(m.AlertId))));
            }
        }

        _board = board;
        CoreLog.IncidentsLoaded(logger, board.LiveCount);
        return board;
    }

    /// <summary>
    /// Loads the named incidents the board does not hold (closed longer ago than the window) in one read of each kind,
    /// however many are named: this runs while the one writer waits.
    /// </summary>
    private async Task AdoptIfClosedLongAgoAsync(IncidentBoard board, string tenant, IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var missing = ids.Where(id => board.Find(tenant, id) is null).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var found = await store.FindAsync(tenant, missing, cancellationToken);
        if (found.Count == 0)
        {
            return;
        }

        var members = await store.MembersAsync(tenant, found.Select(i => i.Id).ToList(), cancellationToken);
        var states = await AlertStatesAsync(tenant, members, cancellationToken);
        foreach (var incident in found)
        {
            board.Adopt(incident, members.Where(m => m.IncidentId == incident.Id).Select(m => (m, states.GetValueOrDefault(m.AlertId))));
        }
    }

    private async Task<Dictionary<string, AlertState>> AlertStatesAsync(string tenant, IReadOnlyList<IncidentAlert> members, CancellationToken cancellationToken)
    {
        var states = await alerts.FindAsync(tenant, members.Select(m => m.AlertId).Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
        return states.ToDictionary(s => IncidentAlert.IdOf(s.Source, s.Fingerprint), StringComparer.Ordinal);
    }

    /// <summary>
    /// One domain event per incident changed: opened, resolved (or merged away), else updated. A failing subscriber is
    /// logged; the change is stored already.
    /// </summary>
    private async Task PublishAsync(IncidentWrite write, CancellationToken cancellationToken)
    {
        foreach (var state in write.States.GroupBy(s => s.Id).Select(g => g.MaxBy(s => s.Version)!))
        {
            var events = write.Events.Where(e => e.IncidentId == state.Id && e.Tenant == state.Tenant).ToList();
            INotification notification = events.Any(e => e.Kind == IncidentEventKind.Opened) ? new IncidentOpened(state, events)
                : events.Any(e => e.Kind is IncidentEventKind.Resolved or IncidentEventKind.MergedInto) ? new IncidentResolved(state, events)
                : new IncidentUpdated(state, events);
            if (notification is not IncidentUpdated)
            {
                CoreLog.IncidentChanged(logger, state.Id, state.Tenant, notification.GetType().Name["Incident".Length..].ToLowerInvariant(), state.Title, state.Alerts,
                    state.Severity.ToString().ToLowerInvariant());
            }

            try
            {
                await mediator.Publish(notification, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                CoreLog.SubscriberFailed(logger, notification.GetType().Name, e);
            }
        }
    }
}
