using TaskLens.Benchmarks.Load;

namespace TaskLens.UnitTests.Benchmarks;

public sealed class RuntimeCountersTests
{
    private const string Before = """
        # TYPE dotnet_exceptions_total counter
        dotnet_exceptions_total{otel_scope_name="System.Runtime",error_type="SocketException"} 2
        dotnet_exceptions_total{otel_scope_name="System.Runtime",error_type="SpoolFullException"} 10 1764633600000
        dotnet_jit_compilation_time_seconds_total{otel_scope_name="System.Runtime"} 50.5
        dotnet_jit_compiled_il_size_bytes_total{otel_scope_name="System.Runtime"} 1411297
        dotnet_jit_compiled_methods_total{otel_scope_name="System.Runtime"} 15000
        dotnet_monitor_lock_contentions_total 100
        dotnet_thread_pool_work_item_count_total{otel_scope_name="System.Runtime"} 7000
        """;

    private const string After = """
        dotnet_exceptions_total{otel_scope_name="System.Runtime",error_type="SocketException"} 2
        dotnet_exceptions_total{otel_scope_name="System.Runtime",error_type="SpoolFullException"} 209 1764633660000
        dotnet_exceptions_total{otel_scope_name="System.Runtime",error_type="TimeoutException"} 3
        dotnet_jit_compilation_time_seconds_total{otel_scope_name="System.Runtime"} 51.5
        dotnet_jit_compiled_methods_total{otel_scope_name="System.Runtime"} 15900
        dotnet_monitor_lock_contentions_total 143
        dotnet_thread_pool_work_item_count_total{otel_scope_name="System.Runtime"} 9048
        """;

    [Fact]
    public void Since_TwoScrapes_ReportsWhatGrewPerSpanAndExceptionsByType()
    {
        var text = RuntimeCounters.Parse(After).Since(RuntimeCounters.Parse(Before), 1_024_000);

        Assert.Equal(
            "runtime over the phase: JIT compiled 900 methods in 1.00 s (0.98 µs a span, wall time on the compiling threads); "
            + "exceptions thrown 202 (199 SpoolFullException, 3 TimeoutException); lock contentions 43; thread-pool work items 2,048 (0.002 a span)",
            text);
    }

    [Fact]
    public void Since_NoRuntimeMetrics_ReportsZeros()
    {
        var text = RuntimeCounters.Parse("tasklens_ingest_items_total{signal=\"traces\"} 5\n").Since(RuntimeCounters.Parse(string.Empty), 100);

        Assert.Contains("JIT compiled 0 methods", text, StringComparison.Ordinal);
        Assert.Contains("exceptions thrown 0;", text, StringComparison.Ordinal);
    }
}
