using TaskLens.Core.Alerts;

namespace TaskLens.Core.Findings;

/// <summary>Reads stored findings, newest first.</summary>
public interface IFindingReader
{
    Task<IReadOnlyList<Finding>> ListAsync(FindingQuery query, CancellationToken cancellationToken);
}

/// <summary>Findings raised in [From, To) for one tenant, optionally narrowed; null filters match everything.</summary>
public sealed record FindingQuery(
    string Tenant,
    DateTimeOffset From,
    DateTimeOffset To,
    FindingStatus? Status = null,
    AlertSeverity? Severity = null,
    string? Goal = null,
    string? Service = null,
    int Limit = 100);
