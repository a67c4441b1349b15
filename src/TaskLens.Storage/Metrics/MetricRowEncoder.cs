using TaskLens.Core.Metrics;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Telemetry;

namespace TaskLens.Storage.Metrics;

/// <summary>Encodes metric points as RowBinary rows of <c>metric_points</c>; order matches <see cref="Columns"/>.</summary>
internal static class MetricRowEncoder
{
    public const string Table = "metric_points";

    public static readonly IReadOnlyList<string> Columns =
    [
        "tenant", "timestamp", "metric_name", "metric_type", "description", "unit", "temporality", "is_monotonic",
        "service_name", "series_fingerprint", "attr_keys", "attr_types", "attr_values",
        "start_time_unix_nano", "time_unix_nano", "flags", "value", "is_integer",
        "count", "sum", "min", "max", "bucket_counts", "explicit_bounds",
        "scale", "zero_count", "zero_threshold", "positive_offset", "positive_bucket_counts", "negative_offset",
        "negative_bucket_counts", "quantiles", "quantile_values",
        "exemplar_times", "exemplar_values", "exemplar_trace_ids", "exemplar_span_ids",
        "exemplar_attr_keys", "exemplar_attr_types", "exemplar_attr_values",
        .. TelemetryColumns.ResourceAndScope,
        "ingested_at",
    ];

    public static void Encode(MetricBatch batch, RowBinaryWriter writer, uint ingestedAtUnixSeconds)
    {
        foreach (var p in batch.Points)
        {
            writer.WriteString(batch.Tenant);
            writer.WriteDateTime(TelemetryColumns.ToUnixSeconds(p.TimeUnixNano));
            writer.WriteString(p.Name);
            writer.WriteUInt8((byte)p.Type);
            writer.WriteString(p.Description);
            writer.WriteString(p.Unit);
            writer.WriteUInt8((byte)p.Temporality);
            writer.WriteUInt8(p.IsMonotonic ? (byte)1 : (byte)0);
            writer.WriteString(p.Resource.ServiceName);
            writer.WriteUInt64(p.SeriesFingerprint);
            TelemetryColumns.WriteAttributes(writer, p.Attributes);
            writer.WriteUInt64(p.StartTimeUnixNano);
            writer.WriteUInt64(p.TimeUnixNano);
            writer.WriteUInt32(p.Flags);
            writer.WriteFloat64(p.Value);
            writer.WriteUInt8(p.IsInteger ? (byte)1 : (byte)0);
            writer.WriteUInt64(p.Count);
            TelemetryColumns.WriteNullable(writer, p.Sum);
            TelemetryColumns.WriteNullable(writer, p.Min);
            TelemetryColumns.WriteNullable(writer, p.Max);
            WriteUInt64s(writer, p.BucketCounts);
            WriteDoubles(writer, p.ExplicitBounds);
            writer.WriteInt32(p.Scale);
            writer.WriteUInt64(p.ZeroCount);
            writer.WriteFloat64(p.ZeroThreshold);
            writer.WriteInt32(p.PositiveOffset);
            WriteUInt64s(writer, p.PositiveBucketCounts);
            writer.WriteInt32(p.NegativeOffset);
            WriteUInt64s(writer, p.NegativeBucketCounts);
            WriteDoubles(writer, p.Quantiles);
            WriteDoubles(writer, p.QuantileValues);
            WriteExemplars(writer, p.Exemplars);
            TelemetryColumns.WriteResourceAndScope(writer, p.Resource, p.Scope);
            writer.WriteDateTime(ingestedAtUnixSeconds);
        }
    }

    private static void WriteExemplars(RowBinaryWriter writer, IReadOnlyList<ExemplarRecord> exemplars)
    {
        writer.WriteArrayLength(exemplars.Count);
        foreach (var e in exemplars)
        {
            writer.WriteUInt64(e.TimeUnixNano);
        }

        writer.WriteArrayLength(exemplars.Count);
        foreach (var e in exemplars)
        {
            writer.WriteFloat64(e.Value);
        }

        writer.WriteArrayLength(exemplars.Count);
        foreach (var e in exemplars)
        {
            TelemetryColumns.WriteTraceId(writer, e.TraceIdHigh, e.TraceIdLow);
        }

        writer.WriteArrayLength(exemplars.Count);
        foreach (var e in exemplars)
        {
            writer.WriteUInt64BigEndian(e.SpanId);
        }

        // Nested attribute arrays: all keys, then all types, then all values, one inner array per exemplar.
        writer.WriteArrayLength(exemplars.Count);
        foreach (var e in exemplars)
        {
            writer.WriteArrayLength(e.FilteredAttributes.Count);
            foreach (var a in e.FilteredAttributes)
            {
                writer.WriteString(a.Key);
            }
        }

        writer.WriteArrayLength(exemplars.Count);
        foreach (var e in exemplars)
        {
            writer.WriteArrayLength(e.FilteredAttributes.Count);
            foreach (var a in e.FilteredAttributes)
            {
                writer.WriteUInt8((byte)a.Type);
            }
        }

        writer.WriteArrayLength(exemplars.Count);
        foreach (var e in exemplars)
        {
            writer.WriteArrayLength(e.FilteredAttributes.Count);
            foreach (var a in e.FilteredAttributes)
            {
                writer.WriteString(a.Value);
            }
        }
    }

    private static void WriteUInt64s(RowBinaryWriter writer, IReadOnlyList<ulong> values)
    {
        writer.WriteArrayLength(values.Count);
        foreach (var v in values)
        {
            writer.WriteUInt64(v);
        }
    }

    private static void WriteDoubles(RowBinaryWriter writer, IReadOnlyList<double> values)
    {
        writer.WriteArrayLength(values.Count);
        foreach (var v in values)
        {
            writer.WriteFloat64(v);
        }
    }
}
