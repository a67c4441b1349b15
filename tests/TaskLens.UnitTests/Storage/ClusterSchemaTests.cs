using TaskLens.Storage.Schema;

namespace TaskLens.UnitTests.Storage;

public sealed class ClusterSchemaTests
{
    private static ClusterSchema NewSchema() => new("tl", "db", "/clickhouse/tables/{shard}");

    /// <summary>Every migration, with the ones added later, must have a cluster form; this fails the build when one has not.</summary>
    [Fact]
    public void Rewrite_EveryMigration_IsOnClusterAndQualified()
    {
        var schema = NewSchema();
        foreach (var migration in SchemaMigrations.All(retentionDays: 30))
        {
            var statements = schema.Rewrite(migration);

            Assert.NotEmpty(statements);
            Assert.All(statements.Where(s => !s.StartsWith("INSERT", StringComparison.Ordinal)), s => Assert.Contains(" ON CLUSTER tl", s, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Rewrite_EveryCreatedTable_IsReplicatedWithADistributedTableOverIt()
    {
        var schema = NewSchema();
        var statements = SchemaMigrations.All(30).SelectMany(schema.Rewrite).ToList();
        var locals = statements.Where(s => s.StartsWith("CREATE TABLE IF NOT EXISTS db.", StringComparison.Ordinal) && s.Contains("ENGINE = Replicated", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(locals);
        Assert.DoesNotContain(statements, s => s.Contains("ENGINE = MergeTree", StringComparison.Ordinal) || s.Contains("ENGINE = ReplacingMergeTree", StringComparison.Ordinal));
        foreach (var local in locals)
        {
            var name = local["CREATE TABLE IF NOT EXISTS db.".Length..local.IndexOf("_local", StringComparison.Ordinal)];
            Assert.Contains(statements, s => s.StartsWith($"CREATE TABLE IF NOT EXISTS db.{name} ON CLUSTER tl AS db.{name}_local ENGINE = Distributed(tl, db, {name}_local, ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Rewrite_ReplacingTable_KeepsItsVersionColumnAfterPathAndReplica()
    {
        var statements = NewSchema().Rewrite(10, "CREATE TABLE IF NOT EXISTS incidents (tenant String, id String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY (tenant, id)");

        Assert.Equal(2, statements.Count);
        Assert.Contains("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/incidents_local/10', '{replica}', version) ORDER BY (tenant, id)", statements[0], StringComparison.Ordinal);
        Assert.StartsWith("CREATE TABLE IF NOT EXISTS db.incidents_local ON CLUSTER tl\n(tenant String, id String, version UInt64)", statements[0], StringComparison.Ordinal);
        Assert.EndsWith("Distributed(tl, db, incidents_local, cityHash64(tenant, id))", statements[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Rewrite_TableSortedByTraceId_IsShardedByTraceId()
    {
        var statements = NewSchema().Rewrite(1, "CREATE TABLE spans (tenant String, trace_id FixedString(16), span_id FixedString(8), a Array(Array(String))) ENGINE = MergeTree PARTITION BY toDate(t) ORDER BY (tenant, service_name, timestamp, trace_id, span_id)");

        Assert.Contains("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/db/spans_local/1', '{replica}') PARTITION BY toDate(t) ORDER BY", statements[0], StringComparison.Ordinal);
        Assert.EndsWith("cityHash64(trace_id))", statements[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Rewrite_TablePartitionedByMonth_IsPartitionedByDay()
    {
        var schema = NewSchema();
        var statements = SchemaMigrations.All(30).SelectMany(schema.Rewrite).ToList();

        Assert.DoesNotContain(statements, s => s.Contains("toYYYYMM", StringComparison.Ordinal));
        foreach (var (table, column) in new[] { ("alerts", "raised_at"), ("alert_events", "received_at"), ("incident_events", "at") })
        {
            var local = Assert.Single(statements, s => s.StartsWith($"CREATE TABLE IF NOT EXISTS db.{table}_local ON CLUSTER", StringComparison.Ordinal));
            Assert.Contains($"PARTITION BY toDate({column})", local, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rewrite_MaterializedView_ReadsAndWritesTheLocalTables()
    {
        var schema = NewSchema();
        schema.Rewrite(1, "CREATE TABLE spans (tenant String, trace_id FixedString(16)) ENGINE = MergeTree ORDER BY (tenant, trace_id)");
        schema.Rewrite(2, "CREATE TABLE trace_index (tenant String, trace_id FixedString(16)) ENGINE = MergeTree ORDER BY (tenant, trace_id)");

        var view = Assert.Single(schema.Rewrite(3, "CREATE MATERIALIZED VIEW IF NOT EXISTS trace_index_mv TO trace_index AS\nSELECT tenant, trace_id FROM spans GROUP BY tenant, trace_id"));

        Assert.Equal("CREATE MATERIALIZED VIEW IF NOT EXISTS db.trace_index_mv ON CLUSTER tl TO db.trace_index_local AS SELECT tenant, trace_id FROM db.spans_local GROUP BY tenant, trace_id", view);
    }

    [Fact]
    public void Rewrite_ColumnChange_AltersTheLocalTableAndRecreatesTheDistributedOne()
    {
        var schema = NewSchema();
        schema.Rewrite(9, "CREATE TABLE alert_events (tenant String, at DateTime) ENGINE = MergeTree ORDER BY (tenant, at)");

        var statements = schema.Rewrite(11, "ALTER TABLE alert_events ADD COLUMN version UInt64");

        Assert.Equal(
            [
                "ALTER TABLE db.alert_events_local ON CLUSTER tl ADD COLUMN version UInt64",
                "DROP TABLE IF EXISTS db.alert_events ON CLUSTER tl",
                "CREATE TABLE IF NOT EXISTS db.alert_events ON CLUSTER tl AS db.alert_events_local ENGINE = Distributed(tl, db, alert_events_local, cityHash64(tenant, at))",
            ],
            statements);
    }

    [Fact]
    public void Rewrite_TtlAndIndex_GoToTheLocalTableOnly()
    {
        var schema = NewSchema();
        schema.Rewrite(1, "CREATE TABLE spans (trace_id FixedString(16), timestamp DateTime) ENGINE = MergeTree ORDER BY trace_id");

        Assert.Equal(["ALTER TABLE db.spans_local ON CLUSTER tl MODIFY TTL timestamp + toIntervalDay(7)"], schema.Rewrite(104, "ALTER TABLE spans MODIFY TTL timestamp + toIntervalDay(7)"));
        Assert.Single(schema.Rewrite(103, "ALTER TABLE spans ADD INDEX IF NOT EXISTS idx trace_id TYPE bloom_filter(0.01) GRANULARITY 1"));
    }

    [Fact]
    public void Rewrite_RenameSwap_MovesLocalTablesAndRebuildsTheDistributedOnes()
    {
        var schema = NewSchema();
        schema.Rewrite(8, "CREATE TABLE alerts (tenant String, id String) ENGINE = MergeTree ORDER BY (tenant, id)");
        schema.Rewrite(20, "CREATE TABLE alerts_new (tenant String, id String) ENGINE = MergeTree PARTITION BY tenant ORDER BY (id)");

        var statements = schema.Rewrite(21, "RENAME TABLE alerts TO alerts_old, alerts_new TO alerts");

        Assert.Contains("RENAME TABLE db.alerts_local TO db.alerts_old_local, db.alerts_new_local TO db.alerts_local ON CLUSTER tl", statements);
        Assert.Contains("CREATE TABLE IF NOT EXISTS db.alerts ON CLUSTER tl AS db.alerts_local ENGINE = Distributed(tl, db, alerts_local, cityHash64(id))", statements);
        Assert.Contains("CREATE TABLE IF NOT EXISTS db.alerts_old ON CLUSTER tl AS db.alerts_old_local ENGINE = Distributed(tl, db, alerts_old_local, cityHash64(tenant, id))", statements);
        Assert.True(statements.ToList().FindIndex(s => s.StartsWith("RENAME", StringComparison.Ordinal)) > statements.ToList().FindLastIndex(s => s.StartsWith("DROP", StringComparison.Ordinal)));
    }

    [Fact]
    public void Rewrite_InsertSelect_GoesThroughTheDistributedTables()
    {
        var schema = NewSchema();
        schema.Rewrite(8, "CREATE TABLE alerts (id String) ENGINE = MergeTree ORDER BY id");
        schema.Rewrite(20, "CREATE TABLE alerts_new (id String) ENGINE = MergeTree ORDER BY id");

        Assert.Equal(["INSERT INTO db.alerts_new (id) SELECT id FROM db.alerts"], schema.Rewrite(21, "INSERT INTO alerts_new (id) SELECT id FROM alerts"));
    }

    [Theory]
    [InlineData("CREATE TABLE t (a String) ENGINE = Memory")]
    [InlineData("CREATE VIEW v AS SELECT 1")]
    [InlineData("ALTER TABLE never_created ADD COLUMN a String")]
    [InlineData("TRUNCATE TABLE t")]
    public void Rewrite_StatementWithoutAClusterForm_IsRefusedNamingTheMigration(string statement)
    {
        var error = Assert.Throws<NotSupportedException>(() => NewSchema().Rewrite(42, statement));

        Assert.StartsWith("Schema migration 42:", error.Message, StringComparison.Ordinal);
    }
}
