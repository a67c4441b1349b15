namespace TaskLens.Core.Metrics;

/// <summary>Decoded metric points of one or more exports, all of one tenant.</summary>
public sealed class MetricBatch
{
    public string Tenant { get; set; } = Tenants.Default;

    public List<MetricPoint> Points { get; } = [];
}
