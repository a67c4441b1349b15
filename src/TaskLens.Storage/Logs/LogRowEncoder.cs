using TaskLens.Core.Logs;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Telemetry;

namespace TaskLens.Storage.Logs;

/// <summary>Encodes log records as RowBinary rows of the <c>logs</c> table; order matches <see cref="Columns"/>.</summary>
internal static class LogRowEncoder
{
    public const string Table = "logs";

    public static readonly IReadOnlyList<string> Columns =
    [
        "tenant", "timestamp", "time_unix_nano", "observed_time_unix_nano", "service_name", "severity_number",
        "severity_text", "body_type", "body", "trace_id", "span_id", "flags", "event_name",
        "attr_keys", "attr_types", "attr_values", "dropped_attributes_count", "fingerprint",
        .. TelemetryColumns.ResourceAndScope,
        "ingested_at",
    ];

    public static void Encode(LogBatch batch, RowBinaryWriter writer, uint ingestedAtUnixSeconds)
    {
        foreach (var row in batch.Rows)
        {
            var time = row.EffectiveTimeUnixNano;
            writer.WriteString(batch.Tenant);
            writer.WriteDateTime(time == 0 ? ingestedAtUnixSeconds : TelemetryColumns.ToUnixSeconds(time));
            writer.WriteUInt64(row.TimeUnixNano);
            writer.WriteUInt64(row.ObservedTimeUnixNano);
            writer.WriteString(row.Resource.ServiceName);
            writer.WriteUInt8((byte)row.SeverityNumber);
            writer.WriteString(row.SeverityText);
            writer.WriteUInt8((byte)row.BodyType);
            writer.WriteString(row.Body);
            TelemetryColumns.WriteTraceId(writer, row.TraceIdHigh, row.TraceIdLow);
            writer.WriteUInt64BigEndian(row.SpanId);
            writer.WriteUInt32(row.Flags);
            writer.WriteString(row.EventName);
            TelemetryColumns.WriteAttributes(writer, row.Attributes);
            writer.WriteUInt32(row.DroppedAttributesCount);
            writer.WriteUInt64(row.Fingerprint);
            TelemetryColumns.WriteResourceAndScope(writer, row.Resource, row.Scope);
            writer.WriteDateTime(ingestedAtUnixSeconds);
        }
    }
}
