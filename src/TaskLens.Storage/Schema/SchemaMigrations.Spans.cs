namespace TaskLens.Storage.Schema;

/// <summary>Span tables and the views and indexes over them. The steps that use them are in <see cref="SchemaMigrations.All"/>.</summary>
internal static partial class SchemaMigrations
{
    /// <summary>
    /// RED figures per service, operation (span name) and minute for every span, kept by a materialized view. Spans
    /// are counted with uniq over (trace_id, span_id), so a span a retried export stored twice counts once (exact up
    /// to 65,536 spans of one operation in one minute, within about 1% beyond). Durations are a t-digest.
    /// </summary>
    private const string OperationMinutesTable = """
        CREATE TABLE IF NOT EXISTS operation_minutes
        (
            tenant String,
            service_name String,
            name String,
            minute DateTime,
            spans AggregateFunction(uniq, FixedString(16), FixedString(8)),
            errors AggregateFunction(uniqIf, FixedString(16), FixedString(8), UInt8),
            duration AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), UInt64)
        )
        ENGINE = AggregatingMergeTree
        PARTITION BY toDate(minute)
        ORDER BY (tenant, service_name, name, minute)
        """;

    private const string OperationMinutesView = """
        CREATE MATERIALIZED VIEW IF NOT EXISTS operation_minutes_mv TO operation_minutes AS
        SELECT
            tenant,
            service_name,
            name,
            toStartOfMinute(timestamp) AS minute,
            uniqState(trace_id, span_id) AS spans,
            uniqIfState(trace_id, span_id, toUInt8(status_code = 2)) AS errors,
            quantilesTDigestState(0.5, 0.95, 0.99)(duration_ns) AS duration
        FROM spans
        GROUP BY tenant, service_name, name, minute
        """;

    /// <summary>
    /// Spans, one row each. Attributes are parallel key/type/value arrays (no Map on 18.16); the value is the
    /// canonical text of its type so every AnyValue kind round-trips. ReplacingMergeTree folds a span that a
    /// retried export delivered twice: the sorting key ends in (trace_id, span_id) and the rest of it derives
    /// from the span itself. Readers that need exact counts read with FINAL or LIMIT 1 BY.
    /// </summary>
    private const string SpansTable = """
        CREATE TABLE IF NOT EXISTS spans
        (
            tenant String,
            timestamp DateTime,
            service_name String,
            name String,
            trace_id FixedString(16),
            span_id FixedString(8),
            parent_span_id FixedString(8),
            trace_state String,
            flags UInt32,
            kind Int8,
            start_time_unix_nano UInt64,
            end_time_unix_nano UInt64,
            duration_ns UInt64,
            status_code UInt8,
            status_message String,
            attr_keys Array(String),
            attr_types Array(UInt8),
            attr_values Array(String),
            dropped_attributes_count UInt32,
            event_times Array(UInt64),
            event_names Array(String),
            event_attr_keys Array(Array(String)),
            event_attr_types Array(Array(UInt8)),
            event_attr_values Array(Array(String)),
            event_dropped_attributes_counts Array(UInt32),
            dropped_events_count UInt32,
            link_trace_ids Array(FixedString(16)),
            link_span_ids Array(FixedString(8)),
            link_trace_states Array(String),
            link_flags Array(UInt32),
            link_attr_keys Array(Array(String)),
            link_attr_types Array(Array(UInt8)),
            link_attr_values Array(Array(String)),
            link_dropped_attributes_counts Array(UInt32),
            dropped_links_count UInt32,
            resource_attr_keys Array(String),
            resource_attr_types Array(UInt8),
            resource_attr_values Array(String),
            resource_dropped_attributes_count UInt32,
            resource_schema_url String,
            scope_name String,
            scope_version String,
            scope_attr_keys Array(String),
            scope_attr_types Array(UInt8),
            scope_attr_values Array(String),
            scope_dropped_attributes_count UInt32,
            scope_schema_url String,
            ingested_at DateTime
        )
        ENGINE = ReplacingMergeTree(ingested_at)
        PARTITION BY toDate(timestamp)
        ORDER BY (tenant, service_name, timestamp, trace_id, span_id)
        """;

    /// <summary>
    /// Trace id → time range, so a trace lookup reads only the partitions the trace lives in. Kept by a
    /// materialized view because 18.16 has no skip indexes.
    /// </summary>
    private const string TraceIndexTable = """
        CREATE TABLE IF NOT EXISTS trace_index
        (
            tenant String,
            trace_id FixedString(16),
            start DateTime,
            end DateTime
        )
        ENGINE = MergeTree
        PARTITION BY toDate(start)
        ORDER BY (tenant, trace_id)
        """;

    /// <summary>
    /// The spans again, ordered by trace id (issue 20): a trace's spans lie together, so reading one trace touches one
    /// small granule range per partition instead of every span of its time window across services. This is the layout
    /// of trace stores on ClickHouse (a spans table keyed by trace id beside one keyed for search). Filled by
    /// <see cref="SpansByTraceView"/> from every insert into spans; the same ReplacingMergeTree identity, so a retried
    /// export folds here too. Small granules because a lookup reads whole granules of every column.
    /// </summary>
    private const string SpansByTraceTable = """
        CREATE TABLE IF NOT EXISTS spans_by_trace
        (
            tenant String,
            timestamp DateTime,
            service_name String,
            name String,
            trace_id FixedString(16),
            span_id FixedString(8),
            parent_span_id FixedString(8),
            trace_state String,
            flags UInt32,
            kind Int8,
            start_time_unix_nano UInt64,
            end_time_unix_nano UInt64,
            duration_ns UInt64,
            status_code UInt8,
            status_message String,
            attr_keys Array(String),
            attr_types Array(UInt8),
            attr_values Array(String),
            dropped_attributes_count UInt32,
            event_times Array(UInt64),
            event_names Array(String),
            event_attr_keys Array(Array(String)),
            event_attr_types Array(Array(UInt8)),
            event_attr_values Array(Array(String)),
            event_dropped_attributes_counts Array(UInt32),
            dropped_events_count UInt32,
            link_trace_ids Array(FixedString(16)),
            link_span_ids Array(FixedString(8)),
            link_trace_states Array(String),
            link_flags Array(UInt32),
            link_attr_keys Array(Array(String)),
            link_attr_types Array(Array(UInt8)),
            link_attr_values Array(Array(String)),
            link_dropped_attributes_counts Array(UInt32),
            dropped_links_count UInt32,
            resource_attr_keys Array(String),
            resource_attr_types Array(UInt8),
            resource_attr_values Array(String),
            resource_dropped_attributes_count UInt32,
            resource_schema_url String,
            scope_name String,
            scope_version String,
            scope_attr_keys Array(String),
            scope_attr_types Array(UInt8),
            scope_attr_values Array(String),
            scope_dropped_attributes_count UInt32,
            scope_schema_url String,
            ingested_at DateTime
        )
        ENGINE = ReplacingMergeTree(ingested_at)
        PARTITION BY toDate(timestamp)
        ORDER BY (tenant, trace_id, span_id)
        SETTINGS index_granularity = 1024
        """;

    /// <summary>Named columns, not *, so a column added to spans later does not break inserts until added here too.</summary>
    private const string SpansByTraceView = """
        CREATE MATERIALIZED VIEW IF NOT EXISTS spans_by_trace_mv TO spans_by_trace AS
        SELECT
            tenant,
            timestamp,
            service_name,
            name,
            trace_id,
            span_id,
            parent_span_id,
            trace_state,
            flags,
            kind,
            start_time_unix_nano,
            end_time_unix_nano,
            duration_ns,
            status_code,
            status_message,
            attr_keys,
            attr_types,
            attr_values,
            dropped_attributes_count,
            event_times,
            event_names,
            event_attr_keys,
            event_attr_types,
            event_attr_values,
            event_dropped_attributes_counts,
            dropped_events_count,
            link_trace_ids,
            link_span_ids,
            link_trace_states,
            link_flags,
            link_attr_keys,
            link_attr_types,
            link_attr_values,
            link_dropped_attributes_counts,
            dropped_links_count,
            resource_attr_keys,
            resource_attr_types,
            resource_attr_values,
            resource_dropped_attributes_count,
            resource_schema_url,
            scope_name,
            scope_version,
            scope_attr_keys,
            scope_attr_types,
            scope_attr_values,
            scope_dropped_attributes_count,
            scope_schema_url,
            ingested_at
        FROM spans
        """;

    /// <summary>
    /// From when a span layout holds every span stored: <c>spans_by_trace</c> holds the spans inserted after its view was
    /// created, not those stored before (docs/ingest.md says how to copy them and then lower this time to 0). Readers
    /// take the earliest row; a repeated migration step only adds a later, safe time.
    /// </summary>
    private const string SpanLayoutsTable = """
        CREATE TABLE IF NOT EXISTS span_layouts
        (
            layout String,
            complete_from DateTime
        )
        ENGINE = ReplacingMergeTree
        ORDER BY layout
        """;

    /// <summary>
    /// Complete from the start when spans was empty once the view existed (a new install: nothing was stored before it),
    /// else from now.
    /// </summary>
    private const string SpansByTraceFrom =
        "INSERT INTO span_layouts (layout, complete_from) SELECT 'spans_by_trace', if((SELECT count() FROM spans) = 0, toDateTime(0), now())";

    private const string TraceIndexView = """
        CREATE MATERIALIZED VIEW IF NOT EXISTS trace_index_mv TO trace_index AS
        SELECT
            tenant,
            trace_id,
            min(timestamp) AS start,
            max(greatest(timestamp, toDateTime(least(intDiv(end_time_unix_nano, 1000000000), 4294967295)))) AS end
        FROM spans
        GROUP BY tenant, trace_id
        """;

    /// <summary>
    /// Distinct spans stored per trace and day, kept by a materialized view, so the goal rollup can ask whether storage
    /// holds spans of a run that this node has not seen (they reached another node) with a primary-key lookup. Dropped by
    /// step 111: spans_by_trace answers the same lookup, and the view cost every span insert.
    /// </summary>
    private const string TraceSpansTable = """
        CREATE TABLE IF NOT EXISTS trace_spans
        (
            tenant String,
            trace_id FixedString(16),
            day Date,
            spans AggregateFunction(uniq, FixedString(8))
        )
        ENGINE = AggregatingMergeTree
        PARTITION BY day
        ORDER BY (tenant, trace_id)
        """;

    private const string TraceSpansView = """
        CREATE MATERIALIZED VIEW IF NOT EXISTS trace_spans_mv TO trace_spans AS
        SELECT tenant, trace_id, toDate(timestamp) AS day, uniqState(span_id) AS spans
        FROM spans
        GROUP BY tenant, trace_id, day
        """;
}
