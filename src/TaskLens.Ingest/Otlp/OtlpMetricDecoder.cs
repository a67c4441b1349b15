using TaskLens.Core.Metrics;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Decodes <c>ExportMetricsServiceRequest</c> protobuf (collector/metrics/v1, metrics/v1) into
/// <see cref="MetricPoint"/>s: gauge, sum (temporality and monotonicity kept), histogram, exponential histogram and
/// summary, with exemplars. Points are rejected (partial success) when their time is missing, their metric has no
/// name, histogram buckets and bounds disagree, or an exemplar id is malformed. Never throws on any input.
/// </summary>
public static class OtlpMetricDecoder
{
    private static readonly (string, string, string) Names = ("resource_metrics", "scope_metrics", "metrics");

    public static OtlpDecodeResult Decode(ReadOnlySpan<byte> request, MetricBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var start = batch.Points.Count;
        var context = new OtlpEnvelope.ItemContext();
        if (!OtlpEnvelope.TryWalk(request, Names, context, (item, c, out error) => TryDecodeMetric(item, c, batch, out error), out var reason))
        {
            batch.Points.RemoveRange(start, batch.Points.Count - start);
            return OtlpDecodeResult.Malformed(reason!);
        }

        return context.Result();
    }

    /// <summary>
    /// Metric: name = 1, description = 2, unit = 3, then one of gauge = 5, sum = 7, histogram = 9,
    /// exponential_histogram = 10, summary = 11 (the last one present wins, as for any oneof); metadata = 12 is not kept.
    /// </summary>
    private static bool TryDecodeMetric(ReadOnlySpan<byte> message, OtlpEnvelope.ItemContext context, MetricBatch batch, out string? error)
    {
        string name = string.Empty, description = string.Empty, unit = string.Empty;
        ReadOnlySpan<byte> data = default, nameBytes = default;
        MetricType? type = null;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            var ok = field switch
            {
                1 => wireType == WireType.LengthDelimited && reader.TryReadLengthDelimited(out nameBytes),
                2 => OtlpCommon.TryReadString(ref reader, wireType, out description),
                3 => OtlpCommon.TryReadString(ref reader, wireType, out unit),
                5 or 7 or 9 or 10 or 11 => wireType == WireType.LengthDelimited && reader.TryReadLengthDelimited(out data),
                _ => reader.TrySkip(wireType),
            };
            if (!ok)
            {
                error = $"field {field} truncated or of the wrong wire type";
                return false;
            }

            type = field switch
            {
                5 => MetricType.Gauge,
                7 => MetricType.Sum,
                9 => MetricType.Histogram,
                10 => MetricType.ExponentialHistogram,
                11 => MetricType.Summary,
                _ => type,
            };
        }

        name = OtlpTraceDecoder.DecodeString(nameBytes);
        if (type is null)
        {
            // A metric without data carries no points: nothing to accept or reject.
            error = null;
            return true;
        }

        var metric = new MetricHeader(name, description, unit, type.Value, Fingerprint.Hash(nameBytes, context.ScopeHash));
        return TryDecodeData(data, metric, context, batch, out error);
    }

    /// <summary>Gauge/Sum/Histogram/ExponentialHistogram/Summary: data_points = 1, aggregation_temporality = 2, is_monotonic = 3.</summary>
    private static bool TryDecodeData(ReadOnlySpan<byte> message, MetricHeader metric, OtlpEnvelope.ItemContext context, MetricBatch batch, out string? error)
    {
        ulong temporality = 0, monotonic = 0;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "data: bad field tag";
                return false;
            }

            var ok = field switch
            {
                1 => wireType == WireType.LengthDelimited && reader.TrySkip(wireType),
                2 => wireType == WireType.Varint && reader.TryReadVarint(out temporality),
                3 => wireType == WireType.Varint && reader.TryReadVarint(out monotonic),
                _ => reader.TrySkip(wireType),
            };
            if (!ok)
            {
                error = $"data: field {field} truncated or of the wrong wire type";
                return false;
            }
        }

        metric = metric with
        {
            Temporality = metric.Type is MetricType.Sum or MetricType.Histogram or MetricType.ExponentialHistogram && temporality <= 2 ? (int)temporality : 0,
            IsMonotonic = metric.Type == MetricType.Sum && monotonic != 0,
        };
        reader = new ProtoReader(message);
        var pointIndex = 0;
        while (!reader.End)
        {
            reader.TryReadTag(out var field, out var wireType);
            if (field != 1)
            {
                reader.TrySkip(wireType);
                continue;
            }

            reader.TryReadLengthDelimited(out var point);
            if (!TryDecodePoint(point, metric, context, batch, out error))
            {
                error = $"data_points[{pointIndex}].{error}";
                return false;
            }

            pointIndex++;
        }

        error = null;
        return true;
    }

    private static bool TryDecodePoint(ReadOnlySpan<byte> message, MetricHeader metric, OtlpEnvelope.ItemContext context, MetricBatch batch, out string? error)
    {
        var (attributesField, exemplarsField, flagsField) = metric.Type switch
        {
            MetricType.Histogram => (9, 8, 10),
            MetricType.ExponentialHistogram => (1, 11, 10),
            MetricType.Summary => (7, -1, 8),
            _ => (7, 5, 8),
        };
        var p = new PointFields();
        var attributes = new List<AttributeRecord>();
        var exemplars = new List<ExemplarRecord>();
        var series = metric.NameHash;
        string? problem = null;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            var fieldStart = reader.Position;
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "bad field tag";
                return false;
            }

            bool ok;
            error = null;
            if (field == attributesField)
            {
                var valueStart = reader.Position;
                ok = OtlpCommon.TryReadAttribute(ref reader, wireType, attributes, out error);
                series = ok ? Fingerprint.Hash(message[valueStart..reader.Position], series) : series;
            }
            else if (field == exemplarsField)
            {
                ok = wireType == WireType.LengthDelimited && reader.TryReadLengthDelimited(out var exemplar)
                    && TryDecodeExemplar(exemplar, exemplars, ref problem, out error);
            }
            else if (field == flagsField)
            {
                ok = OtlpCommon.TryReadUInt32(ref reader, wireType, out p.Flags);
            }
            else
            {
                ok = field switch
                {
                    2 => OtlpCommon.TryReadFixed64(ref reader, wireType, out p.Start),
                    3 => OtlpCommon.TryReadFixed64(ref reader, wireType, out p.Time),
                    _ => TryReadTypeField(ref reader, metric.Type, field, wireType, p),
                };
            }

            if (!ok)
            {
                error = $"{error ?? $"field {field} truncated or of the wrong wire type"} (at byte {fieldStart})";
                return false;
            }
        }

        var what = $"metric '{metric.Name}' point {context.Accepted + context.Rejected}";
        problem ??= metric.Name.Length == 0 ? "metric name is missing"
            : p.Time == 0 ? "time_unix_nano is missing"
            : metric.Type == MetricType.Histogram && p.BucketCounts.Count > 0 && p.BucketCounts.Count != p.Bounds.Count + 1
                ? $"{p.BucketCounts.Count} bucket counts for {p.Bounds.Count} explicit bounds (needs bounds + 1)"
            : metric.Type == MetricType.Summary && p.Quantiles.Count != p.QuantileValues.Count ? "a quantile value is incomplete"
            : null;
        error = null;
        if (problem is not null)
        {
            context.Reject(what, problem);
            return true;
        }

        batch.Points.Add(new MetricPoint
        {
            Resource = context.Resource,
            Scope = context.Scope,
            Name = metric.Name,
            Description = metric.Description,
            Unit = metric.Unit,
            Type = metric.Type,
            Temporality = metric.Temporality,
            IsMonotonic = metric.IsMonotonic,
            Attributes = attributes,
            StartTimeUnixNano = p.Start,
            TimeUnixNano = p.Time,
            Flags = p.Flags,
            Value = p.Value,
            IsInteger = p.IsInteger,
            Count = p.Count,
            Sum = p.Sum,
            Min = p.Min,
            Max = p.Max,
            BucketCounts = p.BucketCounts,
            ExplicitBounds = p.Bounds,
            Scale = p.Scale,
            ZeroCount = p.ZeroCount,
            ZeroThreshold = p.ZeroThreshold,
            PositiveOffset = p.PositiveOffset,
            PositiveBucketCounts = p.Positive,
            NegativeOffset = p.NegativeOffset,
            NegativeBucketCounts = p.Negative,
            Quantiles = p.Quantiles,
            QuantileValues = p.QuantileValues,
            Exemplars = exemplars,
            SeriesFingerprint = series,
        });
        context.Accepted++;
        return true;
    }

    /// <summary>The fields that only one kind of data point has.</summary>
    private static bool TryReadTypeField(ref ProtoReader reader, MetricType type, int field, WireType wireType, PointFields p)
    {
        double value;
        switch (type, field)
        {
            case (MetricType.Gauge or MetricType.Sum, 4):
                p.IsInteger = false;
                return OtlpCommon.TryReadDouble(ref reader, wireType, out p.Value);
            case (MetricType.Gauge or MetricType.Sum, 6):
                p.IsInteger = true;
                var ok = OtlpCommon.TryReadFixed64(ref reader, wireType, out var raw);
                p.Value = (long)raw;
                return ok;
            case (not MetricType.Gauge and not MetricType.Sum, 4):
                return OtlpCommon.TryReadFixed64(ref reader, wireType, out p.Count);
            case (not MetricType.Gauge and not MetricType.Sum, 5):
                ok = OtlpCommon.TryReadDouble(ref reader, wireType, out value);
                p.Sum = value;
                return ok;
            case (MetricType.Histogram, 6):
                return OtlpCommon.TryReadRepeatedFixed64(ref reader, wireType, p.BucketCounts);
            case (MetricType.Histogram, 7):
                var bits = new List<ulong>();
                ok = OtlpCommon.TryReadRepeatedFixed64(ref reader, wireType, bits);
                p.Bounds.AddRange(bits.Select(BitConverter.UInt64BitsToDouble));
                return ok;
            case (MetricType.Histogram, 11) or (MetricType.ExponentialHistogram, 12):
                ok = OtlpCommon.TryReadDouble(ref reader, wireType, out value);
                p.Min = value;
                return ok;
            case (MetricType.Histogram, 12) or (MetricType.ExponentialHistogram, 13):
                ok = OtlpCommon.TryReadDouble(ref reader, wireType, out value);
                p.Max = value;
                return ok;
            case (MetricType.ExponentialHistogram, 6):
                ulong zigzag = 0;
                ok = wireType == WireType.Varint && reader.TryReadVarint(out zigzag);
                p.Scale = OtlpCommon.ZigZag32(zigzag);
                return ok;
            case (MetricType.ExponentialHistogram, 7):
                return OtlpCommon.TryReadFixed64(ref reader, wireType, out p.ZeroCount);
            case (MetricType.ExponentialHistogram, 14):
                return OtlpCommon.TryReadDouble(ref reader, wireType, out p.ZeroThreshold);
            case (MetricType.ExponentialHistogram, 8 or 9):
                if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var buckets))
                {
                    return false;
                }

                return field == 8
                    ? TryDecodeBuckets(buckets, ref p.PositiveOffset, p.Positive)
                    : TryDecodeBuckets(buckets, ref p.NegativeOffset, p.Negative);
            case (MetricType.Summary, 6):
                if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var quantile))
                {
                    return false;
                }

                return TryDecodeQuantile(quantile, p);
            default:
                return reader.TrySkip(wireType);
        }
    }

    /// <summary>ExponentialHistogramDataPoint.Buckets: offset = 1 (sint32), bucket_counts = 2 (repeated uint64).</summary>
    private static bool TryDecodeBuckets(ReadOnlySpan<byte> message, ref int offset, List<ulong> counts)
    {
        counts.Clear();
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            ulong raw = 0;
            var ok = field switch
            {
                1 => wireType == WireType.Varint && reader.TryReadVarint(out raw),
                2 => OtlpCommon.TryReadRepeatedVarint(ref reader, wireType, counts),
                _ => reader.TrySkip(wireType),
            };
            if (!ok)
            {
                return false;
            }

            if (field == 1)
            {
                offset = OtlpCommon.ZigZag32(raw);
            }
        }

        return true;
    }

    /// <summary>SummaryDataPoint.ValueAtQuantile: quantile = 1, value = 2 (doubles).</summary>
    private static bool TryDecodeQuantile(ReadOnlySpan<byte> message, PointFields p)
    {
        double quantile = 0, value = 0;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            var ok = field switch
            {
                1 => OtlpCommon.TryReadDouble(ref reader, wireType, out quantile),
                2 => OtlpCommon.TryReadDouble(ref reader, wireType, out value),
                _ => reader.TrySkip(wireType),
            };
            if (!ok)
            {
                return false;
            }
        }

        p.Quantiles.Add(quantile);
        p.QuantileValues.Add(value);
        return true;
    }

    /// <summary>
    /// Exemplar: filtered_attributes = 7, time_unix_nano = 2, as_double = 3, as_int = 6, span_id = 4, trace_id = 5.
    /// A malformed id sets <paramref name="problem"/>: the point is then rejected.
    /// </summary>
    private static bool TryDecodeExemplar(ReadOnlySpan<byte> message, List<ExemplarRecord> exemplars, ref string? problem, out string? error)
    {
        ulong time = 0, high = 0, low = 0, spanId = 0;
        double value = 0;
        var attributes = new List<AttributeRecord>();
        string? traceProblem = null, spanProblem = null;
        var reader = new ProtoReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "exemplar: bad field tag";
                return false;
            }

            ReadOnlySpan<byte> bytes = default;
            error = null;
            var ok = field switch
            {
                7 => OtlpCommon.TryReadAttribute(ref reader, wireType, attributes, out error),
                2 => OtlpCommon.TryReadFixed64(ref reader, wireType, out time),
                3 => OtlpCommon.TryReadDouble(ref reader, wireType, out value),
                6 => OtlpCommon.TryReadFixed64(ref reader, wireType, out var raw) && SetInt(raw, out value),
                4 or 5 => wireType == WireType.LengthDelimited && reader.TryReadLengthDelimited(out bytes),
                _ => reader.TrySkip(wireType),
            };
            if (!ok)
            {
                error = "exemplar: " + (error ?? $"field {field} truncated or of the wrong wire type");
                return false;
            }

            if (field == 5)
            {
                traceProblem = OtlpCommon.ReadOptionalTraceId(bytes, out high, out low);
            }
            else if (field == 4)
            {
                spanProblem = OtlpCommon.ReadOptionalSpanId(bytes, out spanId);
            }
        }

        problem ??= traceProblem is null && spanProblem is null ? null : "exemplar " + (traceProblem ?? spanProblem);
        exemplars.Add(new ExemplarRecord(time, value, high, low, spanId, attributes));
        error = null;
        return true;
    }

    private static bool SetInt(ulong raw, out double value)
    {
        value = (long)raw;
        return true;
    }

    private sealed record MetricHeader(string Name, string Description, string Unit, MetricType Type, ulong NameHash)
    {
        public int Temporality { get; init; }

        public bool IsMonotonic { get; init; }
    }

    /// <summary>Mutable scratch for one data point while its fields arrive in any order.</summary>
    private sealed class PointFields
    {
#pragma warning disable CA1051 // Scratch fields are passed by ref to the readers.
        public ulong Start;
        public ulong Time;
        public uint Flags;
        public double Value;
        public bool IsInteger;
        public ulong Count;
        public double? Sum;
        public double? Min;
        public double? Max;
        public int Scale;
        public ulong ZeroCount;
        public double ZeroThreshold;
        public int PositiveOffset;
        public int NegativeOffset;
#pragma warning restore CA1051
        public List<ulong> BucketCounts { get; } = [];
        public List<double> Bounds { get; } = [];
        public List<ulong> Positive { get; } = [];
        public List<ulong> Negative { get; } = [];
        public List<double> Quantiles { get; } = [];
        public List<double> QuantileValues { get; } = [];
    }
}
