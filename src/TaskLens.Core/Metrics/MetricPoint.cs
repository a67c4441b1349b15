using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Metrics;

/// <summary>
/// One data point of any OTLP metric kind, with its metric's name, description, unit, temporality and
/// monotonicity. Fields that do not apply to <see cref="Type"/> stay at their defaults. <see cref="SeriesFingerprint"/>
/// identifies the series (resource, scope, metric name and point attributes): with the point's times it is the
/// point's identity, so a retried export folds into the same point.
/// </summary>
public sealed record MetricPoint
{
    public required TelemetryResource Resource { get; init; }
    public required TelemetryScope Scope { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = string.Empty;
    public string Unit { get; init; } = string.Empty;
    public MetricType Type { get; init; }

    /// <summary>OTLP AggregationTemporality: 0 unspecified (gauge, summary), 1 delta, 2 cumulative.</summary>
    public int Temporality { get; init; }
    public bool IsMonotonic { get; init; }
    public IReadOnlyList<AttributeRecord> Attributes { get; init; } = [];
    public ulong StartTimeUnixNano { get; init; }
    public ulong TimeUnixNano { get; init; }
    public uint Flags { get; init; }

    /// <summary>Gauge and sum: the value (an integer point is converted; <see cref="IsInteger"/> says so).</summary>
    public double Value { get; init; }
    public bool IsInteger { get; init; }

    /// <summary>Histograms and summaries.</summary>
    public ulong Count { get; init; }
    public double? Sum { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    public IReadOnlyList<ulong> BucketCounts { get; init; } = [];
    public IReadOnlyList<double> ExplicitBounds { get; init; } = [];

    /// <summary>Exponential histogram.</summary>
    public int Scale { get; init; }
    public ulong ZeroCount { get; init; }
    public double ZeroThreshold { get; init; }
    public int PositiveOffset { get; init; }
    public IReadOnlyList<ulong> PositiveBucketCounts { get; init; } = [];
    public int NegativeOffset { get; init; }
    public IReadOnlyList<ulong> NegativeBucketCounts { get; init; } = [];

    /// <summary>Summary: quantile (0..1) and value pairs.</summary>
    public IReadOnlyList<double> Quantiles { get; init; } = [];
    public IReadOnlyList<double> QuantileValues { get; init; } = [];
    public IReadOnlyList<ExemplarRecord> Exemplars { get; init; } = [];
    public ulong SeriesFingerprint { get; init; }
}
