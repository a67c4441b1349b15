namespace TaskLens.Storage.Schema;

/// <summary>
/// Every schema step in order. Base steps must run on ClickHouse 18.16 (see DESIGN.md: no Map, no DateTime64,
/// no CODEC/TTL/skip index); newer features come as gated steps. Never edit a step that has shipped: add one.
/// </summary>
internal static class SchemaMigrations
{
    /// <summary>The lowest server version that gets the gated extras; they are only exercised on current releases.</summary>
    private const int ExtrasMajor = 20;
    private const int ExtrasMinor = 3;

    public static IReadOnlyList<Migration> All(int retentionDays) =>
    [
        new(1, "spans table", [SpansTable]),
        new(2, "trace index table", [TraceIndexTable]),
        new(3, "trace index view", [TraceIndexView]),
        new(4, "logs table", [LogsTable]),
        new(5, "metric points table", [MetricPointsTable]),
        new(6, "goal runs table", [GoalRunsTable]),
        new(7, "per-operation minutes: table and view", [OperationMinutesTable, OperationMinutesView]),
        new(8, "alerts table", [AlertsTable]),
        new(9, "alert intake: events and states", [AlertEventsTable, AlertStatesTable]),
        new(10, "incidents: timeline, alert memberships and states", [IncidentEventsTable, IncidentAlertsTable, IncidentsTable]),
        new(11, "alert events: the state version each led to, so a retried insert folds on read", [
            "ALTER TABLE alert_events ADD COLUMN version UInt64",
        ]),
        new(12, "spans ordered by trace id: table", [SpansByTraceTable]),
        new(13, "spans ordered by trace id: view, and the time from which it holds every new span", [SpansByTraceView, SpanLayoutsTable, SpansByTraceFrom]),
        new(40, "spans per trace: table and view (runs finalized across nodes)", [TraceSpansTable, TraceSpansView]),
        new(101, "spans: compression codecs on time columns", [
            "ALTER TABLE spans MODIFY COLUMN start_time_unix_nano UInt64 CODEC(Delta, ZSTD(1))",
            "ALTER TABLE spans MODIFY COLUMN end_time_unix_nano UInt64 CODEC(Delta, ZSTD(1))",
            "ALTER TABLE spans MODIFY COLUMN duration_ns UInt64 CODEC(T64, ZSTD(1))",
        ], ExtrasMajor, ExtrasMinor),
        new(102, "spans: LowCardinality for repetitive names", [
            "ALTER TABLE spans MODIFY COLUMN name LowCardinality(String)",
            "ALTER TABLE spans MODIFY COLUMN scope_name LowCardinality(String)",
            "ALTER TABLE spans MODIFY COLUMN scope_version LowCardinality(String)",
        ], ExtrasMajor, ExtrasMinor),
        new(103, "spans: trace id bloom filter", [
            "ALTER TABLE spans ADD INDEX IF NOT EXISTS idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 1",
        ], ExtrasMajor, ExtrasMinor),
        new(104, "retention TTL", [
            $"ALTER TABLE spans MODIFY TTL timestamp + toIntervalDay({retentionDays})",
            $"ALTER TABLE trace_index MODIFY TTL end + toIntervalDay({retentionDays})",
        ], ExtrasMajor, ExtrasMinor),
        new(105, "logs and metric points: retention TTL", [
            $"ALTER TABLE logs MODIFY TTL timestamp + toIntervalDay({retentionDays})",
            $"ALTER TABLE metric_points MODIFY TTL timestamp + toIntervalDay({retentionDays})",
        ], ExtrasMajor, ExtrasMinor),
        new(110, "spans ordered by trace id: codecs, LowCardinality and retention TTL as on spans", [
            "ALTER TABLE spans_by_trace MODIFY COLUMN start_time_unix_nano UInt64 CODEC(Delta, ZSTD(1))",
            "ALTER TABLE spans_by_trace MODIFY COLUMN end_time_unix_nano UInt64 CODEC(Delta, ZSTD(1))",
            "ALTER TABLE spans_by_trace MODIFY COLUMN duration_ns UInt64 CODEC(T64, ZSTD(1))",
            "ALTER TABLE spans_by_trace MODIFY COLUMN name LowCardinality(String)",
            "ALTER TABLE spans_by_trace MODIFY COLUMN scope_name LowCardinality(String)",
            "ALTER TABLE spans_by_trace MODIFY COLUMN scope_version LowCardinality(String)",
            $"ALTER TABLE spans_by_trace MODIFY TTL timestamp + toIntervalDay({retentionDays})",
        ], ExtrasMajor, ExtrasMinor),
    ];

    /// <summary>Alerts from continuous detection, one row each; raised or recorded as context (status).</summary>
    private const string AlertsTable = """
        CREATE TABLE IF NOT EXISTS alerts
        (
            tenant String,
            id String,
            source String,
            fingerprint String,
            severity UInt8,
            status UInt8,
            scope String,
            subject String,
            metric String,
            observed Float64,
            expected Float64,
            lower Float64,
            upper Float64,
            score Float64,
            detector String,
            window_start DateTime,
            window_end DateTime,
            raised_at DateTime,
            summary String,
            reason String,
            sample_run_ids Array(String)
        )
        ENGINE = MergeTree
        PARTITION BY toYYYYMM(raised_at)
        ORDER BY (tenant, raised_at, id)
        """;

    /// <summary>
    /// Incident timelines, one row per entry, keyed by version. Append-only in use; a row is only ever replaced when a
    /// change failed to store part-way and its version was written again (the newer row wins under FINAL).
    /// </summary>
    private const string IncidentEventsTable = """
        CREATE TABLE IF NOT EXISTS incident_events
        (
            tenant String,
            incident_id String,
            version UInt64,
            kind UInt8,
            at DateTime,
            actor String,
            text String,
            alert_id String,
            other_incident String,
            score Float64
        )
        ENGINE = ReplacingMergeTree
        PARTITION BY toYYYYMM(at)
        ORDER BY (tenant, incident_id, version)
        """;

    /// <summary>Which alerts belong to which incident, and why: a row per join or leave, the highest version current.</summary>
    private const string IncidentAlertsTable = """
        CREATE TABLE IF NOT EXISTS incident_alerts
        (
            tenant String,
            incident_id String,
            alert_id String,
            joined_at DateTime,
            score Float64,
            reason String,
            active UInt8,
            version UInt64
        )
        ENGINE = ReplacingMergeTree(version)
        ORDER BY (tenant, incident_id, alert_id)
        """;

    /// <summary>The current state of each incident: a row per change, the highest version current.</summary>
    private const string IncidentsTable = """
        CREATE TABLE IF NOT EXISTS incidents
        (
            tenant String,
            id String,
            title String,
            status UInt8,
            severity UInt8,
            severity_by_person UInt8,
            assignee String,
            goals Array(String),
            services Array(String),
            alerts UInt32,
            firing_alerts UInt32,
            opened_at DateTime,
            updated_at DateTime,
            acknowledged_at DateTime,
            resolved_at DateTime,
            resolved_by String,
            merged_into String,
            version UInt64,
            triage_version UInt64
        )
        ENGINE = ReplacingMergeTree(version)
        ORDER BY (tenant, id)
        """;

    /// <summary>Every notification the alert intake accepted, as received (normalized), one row each; never updated.</summary>
    private const string AlertEventsTable = """
        CREATE TABLE IF NOT EXISTS alert_events
        (
            tenant String,
            source String,
            fingerprint String,
            action UInt8,
            title String,
            message String,
            severity UInt8,
            label_keys Array(String),
            label_values Array(String),
            starts_at DateTime,
            url String,
            received_at DateTime
        )
        ENGINE = MergeTree
        PARTITION BY toYYYYMM(received_at)
        ORDER BY (tenant, source, fingerprint, received_at)
        """;

    /// <summary>
    /// The current state of each deduplicated alert: a row per change, the highest version kept (read with FINAL).
    /// </summary>
    private const string AlertStatesTable = """
        CREATE TABLE IF NOT EXISTS alert_states
        (
            tenant String,
            source String,
            fingerprint String,
            status UInt8,
            title String,
            message String,
            severity UInt8,
            label_keys Array(String),
            label_values Array(String),
            url String,
            first_seen DateTime,
            last_seen DateTime,
            resolved_at DateTime,
            fires UInt32,
            events UInt32,
            version UInt64
        )
        ENGINE = ReplacingMergeTree(version)
        ORDER BY (tenant, source, fingerprint)
        """;

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
    /// Goal runs, one row per finalization. A late span finalizes a run again with a higher version (the number of
    /// distinct spans it has seen), and ReplacingMergeTree keeps the highest, so readers use FINAL. The goal name and
    /// start may change between finalizations (an outer agent's span arriving after its inner agent's), so the key
    /// is (tenant, run_id) alone and there is one partition; retention comes with the gated extras.
    /// </summary>
    private const string GoalRunsTable = """
        CREATE TABLE IF NOT EXISTS goal_runs
        (
            tenant String,
            goal_name String,
            run_id String,
            rule UInt8,
            goal_span_id FixedString(8),
            service_name String,
            outcome UInt8,
            started DateTime,
            ended DateTime,
            start_time_unix_nano UInt64,
            end_time_unix_nano UInt64,
            duration_ns UInt64,
            llm_calls UInt32,
            tool_calls UInt32,
            db_calls UInt32,
            http_calls UInt32,
            other_sub_tasks UInt32,
            fan_out UInt32,
            depth UInt32,
            input_tokens UInt64,
            output_tokens UInt64,
            cached_tokens UInt64,
            cost Nullable(Float64),
            unpriced_calls UInt32,
            errors UInt32,
            first_error String,
            first_error_span_id FixedString(8),
            throttled UInt32,
            retries UInt32,
            critical_path_ns UInt64,
            critical_path_span_ids Array(FixedString(8)),
            spans_not_tracked UInt32,
            version UInt64,
            finalized_at DateTime
        )
        ENGINE = ReplacingMergeTree(version)
        ORDER BY (tenant, run_id)
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
    /// holds spans of a run that this node has not seen (they reached another node) with a primary-key lookup.
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

    /// <summary>
    /// Log records, one row each, filed under their time (else their observed time, else the time of ingest).
    /// <c>fingerprint</c> hashes the record with its resource and scope as received, so a retried export folds
    /// into the same row (ReplacingMergeTree); readers fold with LIMIT 1 BY fingerprint.
    /// </summary>
    private const string LogsTable = """
        CREATE TABLE IF NOT EXISTS logs
        (
            tenant String,
            timestamp DateTime,
            time_unix_nano UInt64,
            observed_time_unix_nano UInt64,
            service_name String,
            severity_number UInt8,
            severity_text String,
            body_type UInt8,
            body String,
            trace_id FixedString(16),
            span_id FixedString(8),
            flags UInt32,
            event_name String,
            attr_keys Array(String),
            attr_types Array(UInt8),
            attr_values Array(String),
            dropped_attributes_count UInt32,
            fingerprint UInt64,
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
        ORDER BY (tenant, service_name, timestamp, fingerprint)
        """;

    /// <summary>
    /// Metric data points of every kind in one table; the columns of other kinds stay empty. A point is identified
    /// by its series (<c>series_fingerprint</c>: resource, scope, metric name and point attributes) and its times,
    /// which end the sorting key, so a retried export folds into the same row.
    /// </summary>
    private const string MetricPointsTable = """
        CREATE TABLE IF NOT EXISTS metric_points
        (
            tenant String,
            timestamp DateTime,
            metric_name String,
            metric_type UInt8,
            description String,
            unit String,
            temporality UInt8,
            is_monotonic UInt8,
            service_name String,
            series_fingerprint UInt64,
            attr_keys Array(String),
            attr_types Array(UInt8),
            attr_values Array(String),
            start_time_unix_nano UInt64,
            time_unix_nano UInt64,
            flags UInt32,
            value Float64,
            is_integer UInt8,
            count UInt64,
            sum Nullable(Float64),
            min Nullable(Float64),
            max Nullable(Float64),
            bucket_counts Array(UInt64),
            explicit_bounds Array(Float64),
            scale Int32,
            zero_count UInt64,
            zero_threshold Float64,
            positive_offset Int32,
            positive_bucket_counts Array(UInt64),
            negative_offset Int32,
            negative_bucket_counts Array(UInt64),
            quantiles Array(Float64),
            quantile_values Array(Float64),
            exemplar_times Array(UInt64),
            exemplar_values Array(Float64),
            exemplar_trace_ids Array(FixedString(16)),
            exemplar_span_ids Array(FixedString(8)),
            exemplar_attr_keys Array(Array(String)),
            exemplar_attr_types Array(Array(UInt8)),
            exemplar_attr_values Array(Array(String)),
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
        ORDER BY (tenant, metric_name, series_fingerprint, timestamp, time_unix_nano, start_time_unix_nano)
        """;
}
