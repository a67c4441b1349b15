namespace TaskLens.Storage.Retention;

/// <summary>Which signal a table belongs to and how its rows age out.</summary>
/// <param name="Column">The time column rows age by (and, for daily tables, the partition key's column).</param>
/// <param name="DailyEngine">
/// For tables created partitioned by month: the engine clause of the same table partitioned by day, which
/// <see cref="DailyPartitions"/> moves them to; null for tables partitioned by day from the start.
/// </param>
internal sealed record RetainedTable(string Name, string Column, Func<RetentionDays, int?> Days, string? DailyEngine = null)
{
    /// <summary>
    /// Every table with retention. Goal runs have one partition (their start may change between finalizations, and
    /// FINAL folds versions only within a partition), so on servers without TTL their old rows go by a mutation.
    /// </summary>
    public static readonly IReadOnlyList<RetainedTable> All =
    [
        new("spans", "timestamp", d => d.Spans),
        new("spans_by_trace", "timestamp", d => d.Spans),
        new("trace_index", "start", d => d.Spans),
        new("operation_minutes", "minute", d => d.Spans),
        new("logs", "timestamp", d => d.Logs),
        new("metric_points", "timestamp", d => d.MetricPoints),
        new("goal_runs", "ended", d => d.GoalRuns),
        new("alerts", "raised_at", d => d.Findings, "MergeTree PARTITION BY toDate(raised_at) ORDER BY (tenant, raised_at, id)"),
        new("alert_events", "received_at", d => d.Findings, "MergeTree PARTITION BY toDate(received_at) ORDER BY (tenant, source, fingerprint, received_at)"),
        new("incident_events", "at", d => d.Incidents, "ReplacingMergeTree PARTITION BY toDate(at) ORDER BY (tenant, incident_id, version)"),
    ];

    /// <summary>The incident timeline: a partition goes only when no incident with entries in it is still kept.</summary>
    public bool IsTimeline => Name == "incident_events";

    public bool HasNoPartitions => Name == "goal_runs";
}
