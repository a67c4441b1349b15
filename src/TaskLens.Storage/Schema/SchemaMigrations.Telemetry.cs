namespace TaskLens.Storage.Schema;

/// <summary>Goal run, log and metric point tables. The steps that use them are in <see cref="SchemaMigrations.All"/>.</summary>
internal static partial class SchemaMigrations
{
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
