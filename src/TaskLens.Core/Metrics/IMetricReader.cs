namespace TaskLens.Core.Metrics;

/// <summary>Reads stored metric points.</summary>
public interface IMetricReader
{
    Task<IReadOnlyList<StoredMetricPoint>> QueryPointsAsync(MetricQuery query, CancellationToken cancellationToken);

    /// <summary>Every metric name of the tenant with its type and unit.</summary>
    Task<IReadOnlyList<(string Name, MetricType Type, string Unit)>> ListMetricsAsync(string tenant, CancellationToken cancellationToken);
}
