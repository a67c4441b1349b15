using TaskLens.Benchmarks.Load;

namespace TaskLens.UnitTests.Benchmarks;

public sealed class StageHistogramsTests
{
    private const string Before = """
        # TYPE tasklens_ingest_export_duration_seconds histogram
        tasklens_ingest_export_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",size="large",stage="durable",le="0.005"} 10
        tasklens_ingest_export_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",size="large",stage="durable",le="0.01"} 20
        tasklens_ingest_export_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",size="large",stage="durable",le="0.05"} 30
        tasklens_ingest_export_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",size="large",stage="durable",le="+Inf"} 30
        tasklens_ingest_export_duration_seconds_sum{otel_scope_name="TaskLens.Ingest",size="large",stage="durable"} 0.3
        tasklens_ingest_export_duration_seconds_count{otel_scope_name="TaskLens.Ingest",size="large",stage="durable"} 30
        tasklens_spool_append_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",phase="sync",le="0.005"} 7
        tasklens_spool_append_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",phase="sync",le="+Inf"} 8
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen0"} 5
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen1"} 2
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen2"} 1
        dotnet_gc_pause_time_seconds_total{otel_scope_name="System.Runtime"} 0.25
        """;

    private const string After = """
        tasklens_ingest_export_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",size="large",stage="durable",le="0.005"} 60
        tasklens_ingest_export_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",size="large",stage="durable",le="0.01"} 110
        tasklens_ingest_export_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",size="large",stage="durable",le="0.05"} 129
        tasklens_ingest_export_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",size="large",stage="durable",le="+Inf"} 130
        tasklens_spool_append_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",phase="sync",le="0.005"} 7
        tasklens_spool_append_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",phase="sync",le="+Inf"} 8
        tasklens_spool_append_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",phase="wait",le="0.005"} 1
        tasklens_spool_append_duration_seconds_bucket{otel_scope_name="TaskLens.Ingest",phase="wait",le="+Inf"} 4
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen0"} 8
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen1"} 3
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen2"} 1
        dotnet_gc_pause_time_seconds_total{otel_scope_name="System.Runtime"} 0.75
        """;

    [Fact]
    public void Since_TwoScrapes_PrintsEachSeriesThatCountedWithItsPercentileBuckets()
    {
        var lines = StageHistograms.Parse(After).Since(StageHistograms.Parse(Before));

        Assert.Equal(
            [
                "  tasklens_ingest_export_duration large durable: n=100 p50<=5 p90<=10 p99<=50 ms",
                "  tasklens_spool_append_duration wait: n=4 p50<=inf p90<=inf p99<=inf ms",
            ],
            lines);
    }

    [Fact]
    public void GcSince_TwoScrapes_CountsCollectionsByGenerationAndThePause()
    {
        var gc = StageHistograms.Parse(After).GcSince(StageHistograms.Parse(Before));

        Assert.Equal(new GcWindow(3, 1, 0, 500), gc);
    }

    [Fact]
    public void GcSince_NoRuntimeMetrics_IsNull()
    {
        var none = StageHistograms.Parse("tasklens_ingest_items_total{signal=\"traces\"} 5\n");

        Assert.Null(none.GcSince(none));
    }
}
