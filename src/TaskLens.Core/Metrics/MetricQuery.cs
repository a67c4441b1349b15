namespace TaskLens.Core.Metrics;

/// <summary>
/// Which metric points to read: one metric name in a time window, narrowed by service and by point attributes
/// that must all match exactly (key → canonical value text). Oldest first, at most <see cref="Limit"/>.
/// </summary>
public sealed record MetricQuery(string Tenant, string Name, DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>The most points one read returns; the API refuses a larger limit.</summary>
    public const int MaxLimit = 10_000;

    public string? Service { get; init; }
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
    public int Limit { get; init; } = 1000;
}
