namespace TaskLens.Storage.Schema;

/// <summary>Alert, finding and incident tables. The steps that use them are in <see cref="SchemaMigrations.All"/>.</summary>
internal static partial class SchemaMigrations
{
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
    private const string GroupingDecisionsTable = """
        CREATE TABLE IF NOT EXISTS grouping_decisions
        (
            tenant String,
            at DateTime,
            actor String,
            kind_a String,
            kind_b String,
            together UInt8,
            features Array(Float64)
        )
        ENGINE = MergeTree
        ORDER BY (tenant, at)
        """;

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
}
