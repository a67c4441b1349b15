namespace TaskLens.Storage.Schema;

/// <summary>
/// Every schema step in order. Base steps must run on ClickHouse 18.16 (see DESIGN.md: no Map, no DateTime64,
/// no CODEC/TTL/skip index); newer features come as gated steps. Never edit a step that has shipped: add one.
/// </summary>
internal static partial class SchemaMigrations
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
        new(30, "grouping decisions: people's merges and splits, per pair of alert kinds", [GroupingDecisionsTable]),
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

        // Not gated: every server runs it. The goal sweeper counts a trace's spans in spans_by_trace (ordered by trace id,
        // so the count is a primary-key read too), and each span insert feeds one view fewer (issue 20).
        new(111, "spans per trace: counted from spans_by_trace; trace_spans and its view dropped", [
            "DROP TABLE IF EXISTS trace_spans_mv",
            "DROP TABLE IF EXISTS trace_spans",
        ]),
    ];
}
