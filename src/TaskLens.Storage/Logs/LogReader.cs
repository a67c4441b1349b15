using System.Globalization;
using System.Text;
using TaskLens.Core.Logs;
using TaskLens.Core.Telemetry;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Telemetry;

namespace TaskLens.Storage.Logs;

/// <summary>Reads log records back from the logs table, folding retried copies with LIMIT 1 BY fingerprint.</summary>
internal sealed class LogReader(ClickHouseClient client) : ILogReader
{
    public async Task<IReadOnlyList<StoredLog>> QueryAsync(LogQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"""
            tenant = {ClickHouseSql.Literal(query.Tenant)}
              AND timestamp >= toDateTime({query.From.ToUnixTimeSeconds()}) AND timestamp <= toDateTime({query.To.ToUnixTimeSeconds()})
            """));
        if (query.Service is { } service)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND service_name = {ClickHouseSql.Literal(service)}");
        }

        if (query.TraceId is { } traceId)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND trace_id = unhex('{traceId}')");
        }

        if (query.MinSeverity is { } severity)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND severity_number >= {severity}");
        }

        if (!string.IsNullOrEmpty(query.Text))
        {
            where.Append(CultureInfo.InvariantCulture, $" AND positionCaseInsensitiveUTF8(body, {ClickHouseSql.Literal(query.Text)}) > 0");
        }

        var sql = string.Create(CultureInfo.InvariantCulture, $"""
            SELECT time_unix_nano, observed_time_unix_nano, service_name, severity_number, severity_text, body_type, body,
                   lower(hex(trace_id)) AS trace_id_hex, lower(hex(span_id)) AS span_id_hex, flags, event_name,
                   attr_keys, attr_types, attr_values, dropped_attributes_count,
                   {TelemetryColumns.ResourceAndScopeSelect}
            FROM logs
            WHERE {where}
            ORDER BY timestamp DESC, time_unix_nano DESC, observed_time_unix_nano DESC, fingerprint
            LIMIT 1 BY fingerprint
            LIMIT {Math.Clamp(query.Limit, 1, LogQuery.MaxLimit)}
            """);
        return await client.QueryAsync(sql, ReadLog, cancellationToken);
    }

    private static StoredLog ReadLog(ClickHouseRow row)
    {
        var traceId = row.GetString("trace_id_hex");
        var spanId = row.GetString("span_id_hex");
        return new StoredLog
        {
            TimeUnixNano = row.GetUInt64("time_unix_nano"),
            ObservedTimeUnixNano = row.GetUInt64("observed_time_unix_nano"),
            ServiceName = row.GetString("service_name"),
            SeverityNumber = row.GetInt32("severity_number"),
            SeverityText = row.GetString("severity_text"),
            BodyType = (AttributeValueType)row.GetInt32("body_type"),
            Body = row.GetString("body"),
            TraceId = TelemetryColumns.IdOrEmpty(traceId),
            SpanId = TelemetryColumns.IdOrEmpty(spanId),
            Flags = row.GetUInt32("flags"),
            EventName = row.GetString("event_name"),
            Attributes = TelemetryColumns.ReadAttributes(row, "attr_"),
            DroppedAttributesCount = row.GetUInt32("dropped_attributes_count"),
            Resource = TelemetryColumns.ReadResource(row),
            Scope = TelemetryColumns.ReadScope(row),
        };
    }
}
