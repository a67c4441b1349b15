using System.Globalization;
using MediatR;
using Microsoft.Extensions.Logging;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Incidents.Learning;

namespace TaskLens.Core.Incidents;

/// <summary>
/// The one writer of incidents in a process: folds accepted alerts in and applies triage, one change at a time, on the
/// <see cref="IncidentBoard"/>; stores each change (timeline, memberships, state) before answering, then publishes the
/// domain events. The board is loaded from storage on first use, and again after a failed store, so memory never runs
/// ahead of ClickHouse for longer than one failed change. Incidents closed long ago are loaded when a person triages them.
/// </summary>
/// <remarks>
/// One writer per tenant is assumed (one TaskLens node, or alerts routed by tenant): ClickHouse has no compare-and-set,
/// so the version check happens here, in memory.
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
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly AlertCorrelator.Settings _settings = settings ?? new AlertCorrelator.Settings();
    private IncidentBoard? _board;

    public void Dispose() => _gate.Dispose();

    /// <summary>Folds alerts the intake accepted (and stored) into incidents; throws when the change cannot be stored.</summary>
    public async Task TakeAlertsAsync(IReadOnlyList<AlertEvent> events, IReadOnlyList<(AlertState State, AlertChange Change)> results, CancellationToken cancellationToken)
    {
        var write = new IncidentWrite();
        await ChangeAsync(
            (board, now) =>
            {
                var before = board.AlertsNotFolded;
                board.TakeAlerts(events, results, now, write);
                if (board.AlertsNotFolded > before && events.Count > 0)
                {
                    CoreLog.OpenIncidentsAtMax(logger, events[0].Tenant, _settings.MaxOpenIncidents, board.AlertsNotFolded);
                }
            },
            write,
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

        var write = new IncidentWrite();
        TriageResult? result = null;
        await ChangeAsync(
            async (board, now) =>
            {
                await AdoptIfClosedLongAgoAsync(board, request.Tenant, request.MergeFrom.Select(m => m.Id).Prepend(request.IncidentId), cancellationToken);
                result = board.Triage(request, now, write);
            },
            write,
            cancellationToken);
        if (result!.Outcome == TriageOutcome.Done)
        {
            CoreLog.Triaged(logger, request.IncidentId, request.Tenant, request.Action, request.Actor, result.Incident!.Version);
        }

        return result;
    }

    /// <summary>Adds a brief's entry to the incident's timeline (nothing when the incident is no longer held).</summary>
    public async Task RecordBriefAsync(string tenant, string id, string text, CancellationToken cancellationToken)
    {
        var write = new IncidentWrite();
        await ChangeAsync((board, now) => board.RecordBrief(tenant, id, text, now, write), write, cancellationToken);
    }

    private Task ChangeAsync(Action<IncidentBoard, DateTimeOffset> change, IncidentWrite write, CancellationToken cancellationToken) =>
        ChangeAsync((board, now) => { change(board, now); return Task.CompletedTask; }, write, cancellationToken);

    private async Task ChangeAsync(Func<IncidentBoard, DateTimeOffset, Task> change, IncidentWrite write, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var board = _board ?? await LoadAsync(cancellationToken);
            try
            {
                // Whole seconds, as ClickHouse 18.16's DateTime stores them: an answer shows what a later read shows.
                var now = time.GetUtcNow();
                now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
                board.Evict(now);
                await change(board, now);
                if (!write.IsEmpty)
                {
                    await store.WriteAsync(write, cancellationToken);
                }
            }
            catch (Exception e)
            {
                // The board may have moved part of the way: drop it, so the next change starts from what is stored.
                _board = null;
                CoreLog.IncidentWriteFailed(logger, e);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }

        // The change is stored: its subscribers hear of it even if the caller has given up waiting.
        await PublishAsync(write, CancellationToken.None);
    }

    private async Task<IncidentBoard> LoadAsync(CancellationToken cancellationToken)
    {
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
