namespace TaskLens.Core.Metrics;

/// <summary>The OTLP metric data kinds; the numbers are stored in ClickHouse and must not change.</summary>
public enum MetricType : byte
{
    Gauge = 1,
    Sum = 2,
    Histogram = 3,
    ExponentialHistogram = 4,
    Summary = 5,
}
