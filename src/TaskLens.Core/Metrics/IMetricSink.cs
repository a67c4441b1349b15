using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Metrics;

/// <summary>Where decoded metric points go; same contract as <see cref="Logs.ILogSink"/>.</summary>
public interface IMetricSink
{
    Task WriteAsync(MetricBatch batch, CancellationToken cancellationToken);
}
