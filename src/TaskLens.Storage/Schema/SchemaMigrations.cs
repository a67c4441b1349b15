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
    ];

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
}
