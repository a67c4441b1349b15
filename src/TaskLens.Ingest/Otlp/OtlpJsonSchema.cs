namespace TaskLens.Ingest.Otlp;

/// <summary>
/// The protobuf shape of the OTLP trace, log and metric messages, as far as <see cref="OtlpJsonTranscoder"/> needs it:
/// each field's JSON name (lowerCamelCase; the proto name is derived), number and kind. Field numbers are those
/// of opentelemetry-proto v1 (common, resource, trace, logs, metrics and their collector services).
/// </summary>
internal static class OtlpJsonSchema
{
    public enum Kind
    {
        Message,
        String,

        /// <summary>Trace and span ids: hex in OTLP/JSON (not base64 as in the proto3 JSON mapping).</summary>
        HexBytes,

        /// <summary>AnyValue.bytesValue: base64, as in the proto3 JSON mapping.</summary>
        Base64Bytes,
        Bool,

        /// <summary>uint32, uint64, int32, int64 and enums: varint; 64-bit values may be JSON strings.</summary>
        Varint,
        SInt32,
        Fixed64,
        SFixed64,
        Fixed32,
        Double,
    }

    public static readonly MessageSchema KeyValue = new("KeyValue");
    public static readonly MessageSchema AnyValue = new("AnyValue") { IsOneOf = true };
    public static readonly MessageSchema Resource = new("Resource");
    public static readonly MessageSchema Scope = new("InstrumentationScope");
    public static readonly MessageSchema TracesRequest = new("ExportTraceServiceRequest");
    public static readonly MessageSchema LogsRequest = new("ExportLogsServiceRequest");
    public static readonly MessageSchema MetricsRequest = new("ExportMetricsServiceRequest");

    private static readonly string[] SeverityNames = BuildSeverityNames();
    private static readonly string[] TemporalityNames = ["UNSPECIFIED", "DELTA", "CUMULATIVE"];
    private static readonly string[] SpanKindNames = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"];
    private static readonly string[] StatusCodeNames = ["UNSET", "OK", "ERROR"];

    static OtlpJsonSchema()
    {
        var arrayValue = new MessageSchema("ArrayValue");
        var keyValueList = new MessageSchema("KeyValueList");
        arrayValue.Set(Rep("values", 1, AnyValue));
        keyValueList.Set(Rep("values", 1, KeyValue));
        AnyValue.Set(
            F("stringValue", 1, Kind.String), F("boolValue", 2, Kind.Bool), F("intValue", 3, Kind.Varint),
            F("doubleValue", 4, Kind.Double), M("arrayValue", 5, arrayValue), M("kvlistValue", 6, keyValueList),
            F("bytesValue", 7, Kind.Base64Bytes));
        KeyValue.Set(F("key", 1, Kind.String), M("value", 2, AnyValue));
        Resource.Set(Rep("attributes", 1, KeyValue), F("droppedAttributesCount", 2, Kind.Varint));
        Scope.Set(
            F("name", 1, Kind.String), F("version", 2, Kind.String), Rep("attributes", 3, KeyValue),
            F("droppedAttributesCount", 4, Kind.Varint));

        var status = new MessageSchema("Status");
        status.Set(F("message", 2, Kind.String), F("code", 3, Kind.Varint) with { EnumPrefix = "STATUS_CODE_", EnumNames = StatusCodeNames });
        var spanEvent = new MessageSchema("Event");
        spanEvent.Set(
            F("timeUnixNano", 1, Kind.Fixed64), F("name", 2, Kind.String), Rep("attributes", 3, KeyValue),
            F("droppedAttributesCount", 4, Kind.Varint));
        var link = new MessageSchema("Link");
        link.Set(
            F("traceId", 1, Kind.HexBytes), F("spanId", 2, Kind.HexBytes), F("traceState", 3, Kind.String),
            Rep("attributes", 4, KeyValue), F("droppedAttributesCount", 5, Kind.Varint), F("flags", 6, Kind.Fixed32));
        var span = new MessageSchema("Span");
        span.Set(
            F("traceId", 1, Kind.HexBytes), F("spanId", 2, Kind.HexBytes), F("traceState", 3, Kind.String),
            F("parentSpanId", 4, Kind.HexBytes), F("name", 5, Kind.String),
            F("kind", 6, Kind.Varint) with { EnumPrefix = "SPAN_KIND_", EnumNames = SpanKindNames },
            F("startTimeUnixNano", 7, Kind.Fixed64), F("endTimeUnixNano", 8, Kind.Fixed64), Rep("attributes", 9, KeyValue),
            F("droppedAttributesCount", 10, Kind.Varint), Rep("events", 11, spanEvent), F("droppedEventsCount", 12, Kind.Varint),
            Rep("links", 13, link), F("droppedLinksCount", 14, Kind.Varint), M("status", 15, status), F("flags", 16, Kind.Fixed32));
        TracesRequest.Set(Rep("resourceSpans", 1, Envelope("ResourceSpans", "scopeSpans", "ScopeSpans", "spans", span)));

        var logRecord = new MessageSchema("LogRecord");
        logRecord.Set(
            F("timeUnixNano", 1, Kind.Fixed64), F("observedTimeUnixNano", 11, Kind.Fixed64),
            F("severityNumber", 2, Kind.Varint) with { EnumPrefix = "SEVERITY_NUMBER_", EnumNames = SeverityNames },
            F("severityText", 3, Kind.String), M("body", 5, AnyValue), Rep("attributes", 6, KeyValue),
            F("droppedAttributesCount", 7, Kind.Varint), F("flags", 8, Kind.Fixed32), F("traceId", 9, Kind.HexBytes),
            F("spanId", 10, Kind.HexBytes), F("eventName", 12, Kind.String));
        LogsRequest.Set(Rep("resourceLogs", 1, Envelope("ResourceLogs", "scopeLogs", "ScopeLogs", "logRecords", logRecord)));

        var exemplar = new MessageSchema("Exemplar");
        exemplar.Set(
            Rep("filteredAttributes", 7, KeyValue), F("timeUnixNano", 2, Kind.Fixed64), F("asDouble", 3, Kind.Double),
            F("asInt", 6, Kind.SFixed64), F("spanId", 4, Kind.HexBytes), F("traceId", 5, Kind.HexBytes));
        var number = new MessageSchema("NumberDataPoint");
        number.Set(
            Rep("attributes", 7, KeyValue), F("startTimeUnixNano", 2, Kind.Fixed64), F("timeUnixNano", 3, Kind.Fixed64),
            F("asDouble", 4, Kind.Double), F("asInt", 6, Kind.SFixed64), Rep("exemplars", 5, exemplar), F("flags", 8, Kind.Varint));
        var histogram = new MessageSchema("HistogramDataPoint");
        histogram.Set(
            Rep("attributes", 9, KeyValue), F("startTimeUnixNano", 2, Kind.Fixed64), F("timeUnixNano", 3, Kind.Fixed64),
            F("count", 4, Kind.Fixed64), F("sum", 5, Kind.Double), F("bucketCounts", 6, Kind.Fixed64) with { Repeated = true },
            F("explicitBounds", 7, Kind.Double) with { Repeated = true }, Rep("exemplars", 8, exemplar),
            F("flags", 10, Kind.Varint), F("min", 11, Kind.Double), F("max", 12, Kind.Double));
        var buckets = new MessageSchema("Buckets");
        buckets.Set(F("offset", 1, Kind.SInt32), F("bucketCounts", 2, Kind.Varint) with { Repeated = true });
        var exponential = new MessageSchema("ExponentialHistogramDataPoint");
        exponential.Set(
            Rep("attributes", 1, KeyValue), F("startTimeUnixNano", 2, Kind.Fixed64), F("timeUnixNano", 3, Kind.Fixed64),
            F("count", 4, Kind.Fixed64), F("sum", 5, Kind.Double), F("scale", 6, Kind.SInt32), F("zeroCount", 7, Kind.Fixed64),
            M("positive", 8, buckets), M("negative", 9, buckets), F("flags", 10, Kind.Varint), Rep("exemplars", 11, exemplar),
            F("min", 12, Kind.Double), F("max", 13, Kind.Double), F("zeroThreshold", 14, Kind.Double));
        var quantile = new MessageSchema("ValueAtQuantile");
        quantile.Set(F("quantile", 1, Kind.Double), F("value", 2, Kind.Double));
        var summary = new MessageSchema("SummaryDataPoint");
        summary.Set(
            Rep("attributes", 7, KeyValue), F("startTimeUnixNano", 2, Kind.Fixed64), F("timeUnixNano", 3, Kind.Fixed64),
            F("count", 4, Kind.Fixed64), F("sum", 5, Kind.Double), Rep("quantileValues", 6, quantile), F("flags", 8, Kind.Varint));

        var temporality = F("aggregationTemporality", 2, Kind.Varint) with { EnumPrefix = "AGGREGATION_TEMPORALITY_", EnumNames = TemporalityNames };
        var metric = new MessageSchema("Metric");
        metric.Set(
            F("name", 1, Kind.String), F("description", 2, Kind.String), F("unit", 3, Kind.String),
            M("gauge", 5, new MessageSchema("Gauge").Set(Rep("dataPoints", 1, number))),
            M("sum", 7, new MessageSchema("Sum").Set(Rep("dataPoints", 1, number), temporality, F("isMonotonic", 3, Kind.Bool))),
            M("histogram", 9, new MessageSchema("Histogram").Set(Rep("dataPoints", 1, histogram), temporality)),
            M("exponentialHistogram", 10, new MessageSchema("ExponentialHistogram").Set(Rep("dataPoints", 1, exponential), temporality)),
            M("summary", 11, new MessageSchema("Summary").Set(Rep("dataPoints", 1, summary))),
            Rep("metadata", 12, KeyValue));
        MetricsRequest.Set(Rep("resourceMetrics", 1, Envelope("ResourceMetrics", "scopeMetrics", "ScopeMetrics", "metrics", metric)));
    }

    private static MessageSchema Envelope(string resourceName, string scopesField, string scopeName, string itemsField, MessageSchema item)
    {
        var scope = new MessageSchema(scopeName).Set(M("scope", 1, Scope), Rep(itemsField, 2, item), F("schemaUrl", 3, Kind.String));
        return new MessageSchema(resourceName).Set(M("resource", 1, Resource), Rep(scopesField, 2, scope), F("schemaUrl", 3, Kind.String));
    }

    private static string[] BuildSeverityNames()
    {
        var names = new List<string> { "UNSPECIFIED" };
        foreach (var level in new[] { "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" })
        {
            names.AddRange([level, level + "2", level + "3", level + "4"]);
        }

        return [.. names];
    }

    private static FieldSchema F(string name, int number, Kind kind) => new(name, ToSnake(name), number, kind, null, false);

    private static FieldSchema M(string name, int number, MessageSchema message) => new(name, ToSnake(name), number, Kind.Message, message, false);

    private static FieldSchema Rep(string name, int number, MessageSchema message) => new(name, ToSnake(name), number, Kind.Message, message, true);

    private static string ToSnake(string camel) =>
        string.Concat(camel.Select(c => char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));

    public sealed record FieldSchema(string Camel, string Snake, int Number, Kind Kind, MessageSchema? Message, bool Repeated)
    {
        public string? EnumPrefix { get; init; }

        public IReadOnlyList<string>? EnumNames { get; init; }
    }

    public sealed class MessageSchema(string name)
    {
        public string Name { get; } = name;

        public IReadOnlyList<FieldSchema> Fields { get; private set; } = [];

        /// <summary>Every field is a member of one oneof (AnyValue's value): at most one may be set.</summary>
        public bool IsOneOf { get; init; }

        /// <summary>Looks a JSON member up by its lowerCamelCase or its proto (snake_case) name.</summary>
        public FieldSchema? Find(string jsonName)
        {
            foreach (var field in Fields)
            {
                if (field.Camel == jsonName || field.Snake == jsonName)
                {
                    return field;
                }
            }

            return null;
        }

        public MessageSchema Set(params FieldSchema[] fields)
        {
            Fields = fields;
            return this;
        }
    }
}
