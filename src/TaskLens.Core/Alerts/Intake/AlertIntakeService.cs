using Microsoft.Extensions.Logging;
using TaskLens.Core.Incidents;

namespace TaskLens.Core.Alerts.Intake;

/// <summary>
/// Applies accepted alert events to the dedup book and stores the events with the states they led to. The book is
/// filled from storage on first use (the states heard of within <see cref="AlertIntakeOptions.Remember"/>). The book
/// keeps the new states only once they are stored: when storage fails the caller answers with a retryable error and
/// the retried event is applied as it was first meant. Stored alerts are then folded into incidents; if that fails
/// the caller answers the same way, and the retry — a repeat to the book now — still reaches the incident, which acts
/// on the alert's state, not on the kind of change. States are stored with compare-and-set on their version: when
/// another node stored a newer state of one of the alerts first, the stored states are read into the book and the
/// batch planned again, so every node's events count.
/// </summary>
public sealed class AlertIntakeService(
    IAlertIntakeStore store, IncidentService incidents, IncidentMetrics metrics, AlertIntakeOptions options, TimeProvider time, ILogger<AlertIntakeService> logger)
    : IAlertIntake, IDisposable
{
    /// <summary>How often a batch is planned again after another node stored a newer state of one of its alerts.</summary>
    private const int MaxAttempts = 8;

    private readonly AlertBook _book = new(options.Limits.MaxAlertsPerTenant);
    private readonly SemaphoreSlim _loading = new(1, 1);

    /// <summary>
    /// One acceptance at a time, from dedup to incidents: two requests about one alert (a resolve and a re-fire) must
    /// reach its incident in the order the book applied them.
    /// </summary>
    private readonly SemaphoreSlim _accepting = new(1, 1);
    private bool _loaded;

    public void Dispose()
    {
        _loading.Dispose();
        _accepting.Dispose();
    }

    /// <summary>New alerts refused because their tenant's book was full of firing alerts.</summary>
    public long Refused => _book.Refused;

    /// <exception cref="AlertRefusedException">An event is past a bound of <see cref="AlertIntakeOptions.Limits"/>; nothing was kept.</exception>
    public async Task<IReadOnlyList<(AlertState State, AlertChange Change)>> AcceptAsync(IReadOnlyList<AlertEvent> events, CancellationToken cancellationToken)
    {
        events = Bounded(events);
        await EnsureLoadedAsync(cancellationToken);
        IReadOnlyList<(AlertState State, AlertChange Change)> results;
        await _accepting.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                results = _book.Plan(events);
                var states = results.Select(r => r.State).ToList();
                try
                {
                    await store.WriteAsync(events, states, cancellationToken);
                    break;
                }
                catch (StateConflictException) when (attempt < MaxAttempts)
                {
                    // Another node stored a newer state of one of these alerts: take what is stored and plan again.
                    await RefreshAsync(events, cancellationToken);
                }
            }

            _book.Restore(results.Select(r => r.State));
            metrics.AlertsTaken(results);
            await incidents.TakeAlertsAsync(events, results, cancellationToken);
        }
        finally
        {
            _accepting.Release();
        }
        foreach (var (state, change) in results)
        {
            if (change is AlertChange.Opened or AlertChange.Refired or AlertChange.Resolved)
            {
                AlertIntakeLog.Changed(logger, state.Source, state.Tenant, change, state.Title, state.Fires);
            }
        }

        return results;
    }

    /// <summary>The events if every one is within bounds, with links other than http(s) dropped; else refused whole.</summary>
    private List<AlertEvent> Bounded(IReadOnlyList<AlertEvent> events)
    {
        var limits = options.Limits;
        var bounded = new List<AlertEvent>(events.Count);
        foreach (var e in events)
        {
            if (limits.Problem(e) is { } problem)
            {
                throw new AlertRefusedException(400, $"Alert {Logged(e.Fingerprint)}: {problem}.");
            }

            bounded.Add(e.Url.Length == 0 ? e : e with { Url = AlertLimits.SafeUrl(e.Url) });
        }

        return bounded;
    }

    private static string Logged(string fingerprint) => fingerprint.Length <= 64 ? fingerprint : fingerprint[..64] + "…";

    /// <summary>Reads the stored state of every alert the events name into the book (a newer version replaces the held one).</summary>
    private async Task RefreshAsync(IReadOnlyList<AlertEvent> events, CancellationToken cancellationToken)
    {
        foreach (var tenant in events.GroupBy(e => e.Tenant, StringComparer.Ordinal))
        {
            var ids = tenant.Select(e => IncidentAlert.IdOf(e.Source, e.Fingerprint)).Distinct(StringComparer.Ordinal).ToList();
            _book.Restore(await store.FindAsync(tenant.Key, ids, cancellationToken));
        }
    }

    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _loaded))
        {
            return;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (!_loaded)
            {
                var states = await store.StatesAsync(time.GetUtcNow() - options.Remember, cancellationToken);
                _book.Restore(states);
                Volatile.Write(ref _loaded, true);
                AlertIntakeLog.Loaded(logger, states.Count);
            }
        }
        finally
        {
            _loading.Release();
        }
    }
}
