using Microsoft.Extensions.Logging;
using TaskLens.Core.Incidents;

namespace TaskLens.Core.Alerts.Intake;

/// <summary>
/// Applies accepted alert events to the dedup book and stores the events with the states they led to. The book is
/// filled from storage on first use (the states heard of within <see cref="AlertIntakeOptions.Remember"/>). The book
/// keeps the new states only once they are stored: when storage fails the caller answers with a retryable error and
/// the retried event is applied as it was first meant. Stored alerts are then folded into incidents; if that fails
/// the caller answers the same way, and the retry — a repeat to the book now — still reaches the incident, which acts
/// on the alert's state, not on the kind of change.
/// </summary>
public sealed class AlertIntakeService(
    IAlertIntakeStore store, IncidentService incidents, IncidentMetrics metrics, AlertIntakeOptions options, TimeProvider time, ILogger<AlertIntakeService> logger)
    : IAlertIntake, IDisposable
{
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
            results = _book.Plan(events);
            var states = results.Select(r => r.State).ToList();
            await store.WriteAsync(events, states, cancellationToken);
            _book.Restore(states);
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
