namespace TaskLens.Core.Alerts;

/// <summary>Reads stored alerts, newest first.</summary>
public interface IAlertReader
{
    Task<IReadOnlyList<Alert>> ListAsync(AlertQuery query, CancellationToken cancellationToken);
}

/// <summary>Alerts raised in [From, To) for one tenant, optionally narrowed; null filters match everything.</summary>
public sealed record AlertQuery(
    string Tenant,
    DateTimeOffset From,
    DateTimeOffset To,
    AlertStatus? Status = null,
    AlertSeverity? Severity = null,
    string? Goal = null,
    string? Service = null,
    int Limit = 100);
