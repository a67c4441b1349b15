using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;

namespace TaskLens.Core.Metrics;

/// <summary>A metric point as read back from storage; the fields that do not apply to its type are empty.</summary>
public sealed record StoredMetricPoint
{
    public required string Name { get; init; }
    public required MetricType Type { get; init; }
    public required string Description { get; init; }
    public required string Unit { get; init; }
    public required int Temporality { get; init; }
    public required bool IsMonotonic { get; init; }
    public required string ServiceName { get; init; }
    public required IReadOnlyList<AttributeRecord> Attributes { get; init; }
    public required ulong StartTimeUnixNano { get; init; }
    public required ulong TimeUnixNano { get; init; }
    public required uint Flags { get; init; }
    public required double Value { get; init; }
    public required bool IsInteger { get; init; }
    public required ulong Count { get; init; }
    public required double? Sum { get; init; }
    public required double? Min { get; init; }
    public required double? Max { get; init; }
    public required IReadOnlyList<ulong> BucketCounts { get; init; }
    public required IReadOnlyList<double> ExplicitBounds { get; init; }
    public required int Scale { get; init; }
    public required ulong ZeroCount { get; init; }
    public required double ZeroThreshold { get; init; }
    public required int PositiveOffset { get; init; }
    public required IReadOnlyList<ulong> PositiveBucketCounts { get; init; }
    public required int NegativeOffset { get; init; }
    public required IReadOnlyList<ulong> NegativeBucketCounts { get; init; }
    public required IReadOnlyList<double> Quantiles { get; init; }
    public required IReadOnlyList<double> QuantileValues { get; init; }
    public required IReadOnlyList<StoredExemplar> Exemplars { get; init; }
    public required StoredResource Resource { get; init; }
}
