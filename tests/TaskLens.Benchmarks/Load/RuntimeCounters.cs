using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// The runtime's own work over a window, from the server's <c>/metrics</c> (<c>System.Runtime</c> meter, read before and
/// after and subtracted): methods the JIT compiled and the time it spent, exceptions thrown, lock contentions and
/// thread-pool work items. They tell the runtime's share of a phase's CPU from ours: the JIT's is one-time work, the
/// others are per request or per span if they grow with the spans.
/// </summary>
internal sealed class RuntimeCounters
{
    private const string JitMethods = "dotnet_jit_compiled_methods_total";
    private const string JitSeconds = "dotnet_jit_compilation_time_seconds_total";
    private const string Exceptions = "dotnet_exceptions_total";
    private const string LockContentions = "dotnet_monitor_lock_contentions_total";
    private const string WorkItems = "dotnet_thread_pool_work_item_count_total";
    private static readonly string[] Names = [JitMethods, JitSeconds, Exceptions, LockContentions, WorkItems];
    private readonly Dictionary<string, double> _totals;
    private readonly Dictionary<string, double> _exceptionsByType;

    private RuntimeCounters(Dictionary<string, double> totals, Dictionary<string, double> exceptionsByType)
    {
        _totals = totals;
        _exceptionsByType = exceptionsByType;
    }

    /// <summary>Methods the JIT compiled since the server started.</summary>
    public double CompiledMethods => _totals.GetValueOrDefault(JitMethods);

    /// <summary>The JIT's time on them, seconds (wall time on the compiling threads).</summary>
    public double CompilationSeconds => _totals.GetValueOrDefault(JitSeconds);

    public static async Task<RuntimeCounters> ScrapeAsync(HttpClient http, int apiPort) =>
        From(await PrometheusText.ScrapeAsync(http, apiPort));

    /// <summary>Sums each counter's series in Prometheus text (exceptions come one series per type).</summary>
    internal static RuntimeCounters Parse(string text) => From(PrometheusText.Parse(text));

    private static RuntimeCounters From(IReadOnlyList<PrometheusSample> samples)
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        var exceptionsByType = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var sample in samples)
        {
            if (!Names.Contains(sample.Name))
            {
                continue;
            }

            totals[sample.Name] = totals.GetValueOrDefault(sample.Name) + sample.Value;
            if (sample.Name == Exceptions && sample.Label("error_type") is { } type)
            {
                exceptionsByType[type] = exceptionsByType.GetValueOrDefault(type) + sample.Value;
            }
        }

        return new RuntimeCounters(totals, exceptionsByType);
    }

    /// <summary>What grew since <paramref name="before"/>, with the JIT's time and the counts per span of <paramref name="spans"/>.</summary>
    public string Since(RuntimeCounters before, long spans)
    {
        double Delta(string key) => _totals.GetValueOrDefault(key) - before._totals.GetValueOrDefault(key);
        var thrown = string.Join(", ", _exceptionsByType
            .Select(e => (Type: e.Key, Count: e.Value - before._exceptionsByType.GetValueOrDefault(e.Key)))
            .Where(e => e.Count > 0)
            .OrderByDescending(e => e.Count)
            .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Count:N0} {e.Type}")));
        return string.Create(CultureInfo.InvariantCulture,
            $"runtime over the phase: JIT compiled {Delta(JitMethods):N0} methods in {Delta(JitSeconds):N2} s ({Delta(JitSeconds) * 1e6 / spans:0.00} µs a span, wall time on the compiling threads); exceptions thrown {Delta(Exceptions):N0}{(thrown.Length > 0 ? " (" + thrown + ")" : "")}; lock contentions {Delta(LockContentions):N0}; thread-pool work items {Delta(WorkItems):N0} ({Delta(WorkItems) / spans:0.000} a span)");
    }
}
