namespace TaskLens.Core.Alerts.Intake;

/// <summary>Storage of the intake: every event (append-only) and each alert's state (latest version wins).</summary>
public interface IAlertIntakeStore
{
    /// <summary>
    /// Stores the events and the states they led to, together (<paramref name="states"/>[i] is the state
    /// <paramref name="events"/>[i] led to), as a whole or not at all; throws when that is not possible, and
    /// <see cref="StateConflictException"/> when an alert's stored version is no longer the one before its first
    /// state here (another writer stored one first).
    /// </summary>
    Task WriteAsync(IReadOnlyList<AlertEvent> events, IReadOnlyList<AlertState> states, CancellationToken cancellationToken);

    /// <summary>The latest state of every alert last heard of since <paramref name="since"/>, every tenant.</summary>
    Task<IReadOnlyList<AlertState>> StatesAsync(DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>The latest state of each named alert (<c>source:fingerprint</c>) that is known.</summary>
    Task<IReadOnlyList<AlertState>> FindAsync(string tenant, IReadOnlyCollection<string> alertIds, CancellationToken cancellationToken);

    /// <summary>One tenant's alert states, newest first, optionally by status and source.</summary>
    Task<IReadOnlyList<AlertState>> ListAsync(string tenant, AlertStateStatus? status, string? source, int limit, CancellationToken cancellationToken);
}
