using TaskLens.Core.Traces;

namespace TaskLens.Core.Logs;

/// <summary>
/// Which log records to read: a tenant and a time window, narrowed by any of service, trace, minimum severity
/// number and text (a case-insensitive substring of the body). Newest first, at most <see cref="Limit"/>.
/// </summary>
public sealed record LogQuery(string Tenant, DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>The most records one read returns; the API refuses a larger limit.</summary>
    public const int MaxLimit = 1_000;

    public string? Service { get; init; }
    public TraceId? TraceId { get; init; }
    public int? MinSeverity { get; init; }
    public string? Text { get; init; }
    public int Limit { get; init; } = 100;
}
