using System.Text;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Where the server's acknowledgements waited over a window: its <c>/metrics</c> histograms of
/// <c>tasklens.ingest.export.duration</c> (per stage: read, decode, durable; per size: small, or large for exports of a
/// MiB or more — the 5,000-span probes) and <c>tasklens.spool.append.duration</c> (per phase: wait, write, sync), read
/// before and after the window and subtracted. Each series prints its count and the upper bounds of the buckets its
/// p50, p90 and p99 fall in (the histograms keep buckets, not samples). Beside them, the runtime's GC collections by
/// generation and its pause time over the same window (<c>System.Runtime</c>'s <c>dotnet.gc.collections</c> and
/// <c>dotnet.gc.pause.time</c>): a pause stops every stage at once, so a slow acknowledgement in no one stage is told by it.
/// </summary>
internal sealed class StageHistograms
{
    private static readonly string[] Names = ["tasklens_ingest_export_duration_seconds_bucket", "tasklens_spool_append_duration_seconds_bucket"];
    private const string GcCollections = "dotnet_gc_collections_total";
    private const string GcPause = "dotnet_gc_pause_time_seconds_total";
    private readonly Dictionary<string, SortedDictionary<double, double>> _series;
    private readonly Dictionary<string, double> _gc;

    private StageHistograms(Dictionary<string, SortedDictionary<double, double>> series, Dictionary<string, double> gc)
    {
        _series = series;
        _gc = gc;
    }

    public static async Task<StageHistograms> ScrapeAsync(HttpClient http, int apiPort) =>
        From(await PrometheusText.ScrapeAsync(http, apiPort));

    /// <summary>The histograms' buckets by series and the GC's counters in Prometheus text.</summary>
    internal static StageHistograms Parse(string text) => From(PrometheusText.Parse(text));

    private static StageHistograms From(IReadOnlyList<PrometheusSample> samples)
    {
        var series = new Dictionary<string, SortedDictionary<double, double>>(StringComparer.Ordinal);
        var gc = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var sample in samples)
        {
            if (sample.Name == GcPause)
            {
                gc["pause"] = gc.GetValueOrDefault("pause") + sample.Value;
                continue;
            }

            if (sample.Name == GcCollections && sample.Label("gc_heap_generation") is { } generation)
            {
                gc[generation] = gc.GetValueOrDefault(generation) + sample.Value;
                continue;
            }

            if (!Names.Contains(sample.Name) || sample.UpperBound is not { } bound)
            {
                continue;
            }

            // A series is the histogram and its stage, size or phase labels, in the scrape's order: "tasklens_ingest_export_duration large durable".
            var key = new StringBuilder(sample.Name[..^"_seconds_bucket".Length]);
            foreach (var (label, value) in sample.Labels)
            {
                if (label is "stage" or "size" or "phase")
                {
                    key.Append(' ').Append(value);
                }
            }

            if (!series.TryGetValue(key.ToString(), out var buckets))
            {
                series[key.ToString()] = buckets = [];
            }

            buckets[bound] = sample.Value;
        }

        return new StageHistograms(series, gc);
    }

    /// <summary>The GC's collections by generation and its pause time since <paramref name="before"/>; null if the server does not export them.</summary>
    public GcWindow? GcSince(StageHistograms before)
    {
        if (!_gc.ContainsKey("pause"))
        {
            return null;
        }

        double Delta(string key) => _gc.GetValueOrDefault(key) - before._gc.GetValueOrDefault(key);
        return new GcWindow((long)Delta("gen0"), (long)Delta("gen1"), (long)Delta("gen2"), Delta("pause") * 1000);
    }

    /// <summary>One line per series that counted anything since <paramref name="before"/>: "name labels n= p50<= p90<= p99<=" (ms).</summary>
    public IEnumerable<string> Since(StageHistograms before) => Percentiles(before).Select(p => p.ToString());

    /// <summary>Per series that counted anything since <paramref name="before"/>: its count and the bucket bounds (ms) its p50, p90 and p99 fall in.</summary>
    public IReadOnlyList<StagePercentiles> Percentiles(StageHistograms before)
    {
        var result = new List<StagePercentiles>();
        foreach (var (key, buckets) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var earlier = before._series.GetValueOrDefault(key);
            var cumulative = buckets.Select(b => (Bound: b.Key, Count: b.Value - (earlier?.GetValueOrDefault(b.Key) ?? 0))).ToList();
            var total = cumulative[^1].Count;
            if (total <= 0)
            {
                continue;
            }

            double At(double p) => cumulative.First(b => b.Count >= p * total).Bound * 1000;
            result.Add(new StagePercentiles(key, (long)total, At(0.5), At(0.9), At(0.99)));
        }

        return result;
    }
}
