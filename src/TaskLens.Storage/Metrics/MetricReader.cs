using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskLens.Core.Metrics;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Telemetry;

namespace TaskLens.Storage.Metrics;

/// <summary>
/// Reads metric points back from metric_points, folding retried copies of a point with LIMIT 1 BY. Doubles are
/// selected as text: ClickHouse's JSON output writes inf and nan as null, which would lose them.
/// </summary>
internal sealed class MetricReader(ClickHouseClient client) : IMetricReader
{
    public async Task<IReadOnlyList<StoredMetricPoint>> QueryPointsAsync(MetricQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"""
            tenant = {ClickHouseSql.Literal(query.Tenant)} AND metric_name = {ClickHouseSql.Literal(query.Name)}
              AND timestamp >= toDateTime({query.From.ToUnixTimeSeconds()}) AND timestamp <= toDateTime({query.To.ToUnixTimeSeconds()})
            """));
        if (query.Service is { } service)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND service_name = {ClickHouseSql.Literal(service)}");
        }

        foreach (var (key, value) in query.Attributes)
        {
            var k = ClickHouseSql.Literal(key);
            where.Append(CultureInfo.InvariantCulture, $" AND has(attr_keys, {k}) AND attr_values[indexOf(attr_keys, {k})] = {ClickHouseSql.Literal(value)}");
        }

        var sql = string.Create(CultureInfo.InvariantCulture, $"""
            SELECT metric_name, metric_type, description, unit, temporality, is_monotonic, service_name,
                   attr_keys, attr_types, attr_values, start_time_unix_nano, time_unix_nano, flags, toString(value) AS value_text, is_integer,
                   count, toString(sum) AS sum_text, toString(min) AS min_text, toString(max) AS max_text, bucket_counts,
                   arrayMap(x -> toString(x), explicit_bounds) AS explicit_bounds_text, scale, zero_count, toString(zero_threshold) AS zero_threshold_text,
                   positive_offset, positive_bucket_counts, negative_offset, negative_bucket_counts,
                   arrayMap(x -> toString(x), quantiles) AS quantiles_text, arrayMap(x -> toString(x), quantile_values) AS quantile_values_text,
                   exemplar_times, arrayMap(x -> toString(x), exemplar_values) AS exemplar_values_text,
                   arrayMap(x -> lower(hex(x)), exemplar_trace_ids) AS exemplar_trace_ids_hex,
                   arrayMap(x -> lower(hex(x)), exemplar_span_ids) AS exemplar_span_ids_hex,
                   exemplar_attr_keys, exemplar_attr_types, exemplar_attr_values,
                   {TelemetryColumns.ResourceAndScopeSelect}
            FROM metric_points
            WHERE {where}
            ORDER BY time_unix_nano, series_fingerprint, start_time_unix_nano
            LIMIT 1 BY series_fingerprint, time_unix_nano, start_time_unix_nano
            LIMIT {Math.Clamp(query.Limit, 1, MetricQuery.MaxLimit)}
            """);
        return await client.QueryAsync(sql, ReadPoint, cancellationToken);
    }

    public async Task<IReadOnlyList<(string Name, MetricType Type, string Unit)>> ListMetricsAsync(string tenant, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT metric_name, any(metric_type) AS type, any(unit) AS unit
            FROM metric_points
            WHERE tenant = {ClickHouseSql.Literal(tenant)}
            GROUP BY metric_name
            ORDER BY metric_name
            """;
        return await client.QueryAsync(sql, row => (row.GetString("metric_name"), (MetricType)row.GetInt32("type"), row.GetString("unit")), cancellationToken);
    }

    private static StoredMetricPoint ReadPoint(ClickHouseRow row) => new()
    {
        Name = row.GetString("metric_name"),
        Type = (MetricType)row.GetInt32("metric_type"),
        Description = row.GetString("description"),
        Unit = row.GetString("unit"),
        Temporality = row.GetInt32("temporality"),
        IsMonotonic = row.GetInt32("is_monotonic") != 0,
        ServiceName = row.GetString("service_name"),
        Attributes = TelemetryColumns.ReadAttributes(row, "attr_"),
        StartTimeUnixNano = row.GetUInt64("start_time_unix_nano"),
        TimeUnixNano = row.GetUInt64("time_unix_nano"),
        Flags = row.GetUInt32("flags"),
        Value = TelemetryColumns.ReadDouble(row.GetArray("value_text")),
        IsInteger = row.GetInt32("is_integer") != 0,
        Count = row.GetUInt64("count"),
        Sum = TelemetryColumns.ReadNullableDouble(row.GetArray("sum_text")),
        Min = TelemetryColumns.ReadNullableDouble(row.GetArray("min_text")),
        Max = TelemetryColumns.ReadNullableDouble(row.GetArray("max_text")),
        BucketCounts = row.GetUInt64Array("bucket_counts"),
        ExplicitBounds = Doubles(row.GetArray("explicit_bounds_text")),
        Scale = row.GetInt32("scale"),
        ZeroCount = row.GetUInt64("zero_count"),
        ZeroThreshold = TelemetryColumns.ReadDouble(row.GetArray("zero_threshold_text")),
        PositiveOffset = row.GetInt32("positive_offset"),
        PositiveBucketCounts = row.GetUInt64Array("positive_bucket_counts"),
        NegativeOffset = row.GetInt32("negative_offset"),
        NegativeBucketCounts = row.GetUInt64Array("negative_bucket_counts"),
        Quantiles = Doubles(row.GetArray("quantiles_text")),
        QuantileValues = Doubles(row.GetArray("quantile_values_text")),
        Exemplars = ReadExemplars(row),
        Resource = TelemetryColumns.ReadResource(row),
    };

    private static List<StoredExemplar> ReadExemplars(ClickHouseRow row)
    {
        var times = row.GetArray("exemplar_times");
        var values = row.GetArray("exemplar_values_text");
        var traceIds = row.GetArray("exemplar_trace_ids_hex");
        var spanIds = row.GetArray("exemplar_span_ids_hex");
        var keys = row.GetArray("exemplar_attr_keys");
        var types = row.GetArray("exemplar_attr_types");
        var attrValues = row.GetArray("exemplar_attr_values");
        var result = new List<StoredExemplar>(times.GetArrayLength());
        for (var i = 0; i < times.GetArrayLength(); i++)
        {
            var traceId = traceIds[i].GetString() ?? string.Empty;
            var spanId = spanIds[i].GetString() ?? string.Empty;
            result.Add(new StoredExemplar(
                TelemetryColumns.ReadNumber(times[i]),
                TelemetryColumns.ReadDouble(values[i]),
                TelemetryColumns.IdOrEmpty(traceId),
                TelemetryColumns.IdOrEmpty(spanId),
                TelemetryColumns.Zip(keys[i], types[i], attrValues[i])));
        }

        return result;
    }

    private static List<double> Doubles(JsonElement array) => [.. array.EnumerateArray().Select(TelemetryColumns.ReadDouble)];
}
