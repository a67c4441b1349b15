namespace TaskLens.Storage.Spans;

/// <summary>
/// The <c>spans</c> table's name and columns, in the order <see cref="SpanRowWriter"/> writes a row's values. Encoding
/// lives in <see cref="SpanRowWriter"/>: the drainer and, with the spool off, ingest write rows with it straight from the
/// export. The batch-of-strings encoder the row-identity tests and the bench compare against is test code
/// (<c>SpanBatchRows</c> in tests/TaskLens.UnitTests/TestSupport, linked into the integration tests and the benchmarks).
/// </summary>
internal static class SpansTable
{
    public const string Name = "spans";

    public static readonly IReadOnlyList<string> Columns =
    [
        "tenant", "timestamp", "service_name", "name", "trace_id", "span_id", "parent_span_id", "trace_state",
        "flags", "kind", "start_time_unix_nano", "end_time_unix_nano", "duration_ns", "status_code", "status_message",
        "attr_keys", "attr_types", "attr_values", "dropped_attributes_count",
        "event_times", "event_names", "event_attr_keys", "event_attr_types", "event_attr_values",
        "event_dropped_attributes_counts", "dropped_events_count",
        "link_trace_ids", "link_span_ids", "link_trace_states", "link_flags", "link_attr_keys", "link_attr_types",
        "link_attr_values", "link_dropped_attributes_counts", "dropped_links_count",
        "resource_attr_keys", "resource_attr_types", "resource_attr_values", "resource_dropped_attributes_count",
        "resource_schema_url",
        "scope_name", "scope_version", "scope_attr_keys", "scope_attr_types", "scope_attr_values",
        "scope_dropped_attributes_count", "scope_schema_url",
        "ingested_at",
    ];
}
