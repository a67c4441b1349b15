using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Where the server's resident set is, every two seconds through a run: <c>/proc/PID/smaps_rollup</c> (anonymous
/// against file-backed: the mapped runtime and framework images), <c>/proc/PID/smaps</c> by kind of mapping
/// (<see cref="SmapsSplit"/>: images, native libraries, JIT code, the GC's reservation, the rest of the anonymous memory)
/// and the runtime's GC gauges and the goal rollup's
/// held spans from <c>/metrics</c> (heap in use and fragmentation by generation after the last collection, committed).
/// A scrape that fails or takes longer than its timeout is counted, not waited out, so a <c>/metrics</c> that stops
/// answering shows. Every sample goes to a tab-separated file; <see cref="Peak"/> names the holders at a phase's peak.
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly int _pid;
    private readonly int _apiPort;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly List<Sample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly StreamWriter _file;

    public MemorySampler(int pid, int apiPort, string path)
    {
        _pid = pid;
        _apiPort = apiPort;
        Path = path;
        _file = new StreamWriter(path) { AutoFlush = true };
        _file.WriteLine("utc\trss_mib\tanon_mib\tfile_mib\tgc_committed_mib\tgen0\tgen1\tgen2\tloh\tpoh\tfrag_gen2\tfrag_loh\tspans_held\tscrape_ms\timages\tnative_libs\tdouble_mapped\tother_files\tgc_reservation\tother_anon");
        _loop = Task.Run(LoopAsync);
    }

    public string Path { get; }

    /// <summary>Scrapes of <c>/metrics</c> that failed or timed out so far.</summary>
    public int ScrapeFailures { get; private set; }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var sample = await TakeAsync();
            lock (_samples)
            {
                _samples.Add(sample);
            }

            _file.WriteLine(sample.ToString());
            try
            {
                await Task.Delay(Interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<Sample> TakeAsync()
    {
        var at = DateTime.UtcNow;
        var (rss, anonymous) = ReadRollup(_pid);
        var split = SmapsSplit.Read(_pid);
        var gc = new Dictionary<string, double>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        double scrapeMs;
        try
        {
            foreach (var sample in PrometheusText.Parse(await _http.GetStringAsync(new Uri($"http://127.0.0.1:{_apiPort}/metrics"), _stop.Token)))
            {
                var key = sample.Name switch
                {
                    "dotnet_gc_last_collection_heap_size_bytes" => "size_" + sample.Label("gc_heap_generation"),
                    "dotnet_gc_last_collection_heap_fragmentation_size_bytes" => "frag_" + sample.Label("gc_heap_generation"),
                    "dotnet_gc_last_collection_memory_committed_size_bytes" => "committed",
                    "tasklens_goals_spans_in_memory" => "spans",
                    _ => null,
                };
                if (key is not null)
                {
                    gc[key] = sample.Value;
                }
            }

            scrapeMs = clock.Elapsed.TotalMilliseconds;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            if (_stop.IsCancellationRequested)
            {
                scrapeMs = double.NaN;
            }
            else
            {
                ScrapeFailures++;
                scrapeMs = -clock.Elapsed.TotalMilliseconds;
            }
        }

        return new Sample(at, rss, anonymous, split, gc, scrapeMs);
    }

    /// <summary>The sample of the largest resident set taken from <paramref name="from"/> until <paramref name="to"/>, described; null if none.</summary>
    public string? Peak(DateTime from, DateTime to)
    {
        Sample? peak = null;
        lock (_samples)
        {
            foreach (var sample in _samples)
            {
                if (sample.At >= from && sample.At < to && (peak is null || sample.RssMiB > peak.RssMiB))
                {
                    peak = sample;
                }
            }
        }

        return peak?.Describe();
    }

    private static (double RssMiB, double AnonymousMiB) ReadRollup(int pid)
    {
        double rss = 0, anonymous = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                if (line.StartsWith("Rss:", StringComparison.Ordinal))
                {
                    rss = Kib(line) / 1024;
                }
                else if (line.StartsWith("Anonymous:", StringComparison.Ordinal))
                {
                    anonymous = Kib(line) / 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process ended.
        }

        return (rss, anonymous);
    }

    private static double Kib(string line) =>
        double.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await _file.DisposeAsync();
        _http.Dispose();
        _stop.Dispose();
    }

    private sealed record Sample(DateTime At, double RssMiB, double AnonymousMiB, SmapsSplit Split, Dictionary<string, double> Gc, double ScrapeMs)
    {
        private double Mib(string key) => Gc.TryGetValue(key, out var bytes) ? bytes / (1024 * 1024) : double.NaN;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{At:HH:mm:ss}\t{RssMiB:F0}\t{AnonymousMiB:F0}\t{RssMiB - AnonymousMiB:F0}\t{Mib("committed"):F0}\t{Mib("size_gen0"):F0}\t{Mib("size_gen1"):F0}\t{Mib("size_gen2"):F0}\t{Mib("size_loh"):F0}\t{Mib("size_poh"):F0}\t{Mib("frag_gen2"):F0}\t{Mib("frag_loh"):F0}\t{(Gc.TryGetValue("spans", out var spans) ? spans : double.NaN):F0}\t{ScrapeMs:F0}\t{Split.Images:F0}\t{Split.NativeLibraries:F0}\t{Split.DoubleMapped:F0}\t{Split.OtherFiles:F0}\t{Split.GcHeap:F0}\t{Split.OtherAnonymous:F0}");

        public string Describe()
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{At:HH:mm:ss} RSS {RssMiB:F0} MiB = {AnonymousMiB:F0} anonymous + {RssMiB - AnonymousMiB:F0} file-backed; ");
            text.Append(CultureInfo.InvariantCulture, $"by mapping: {Split}; ");
            text.Append(CultureInfo.InvariantCulture, $"GC committed {Mib("committed"):F0}, in use after the last collection gen0 {Mib("size_gen0"):F0} gen1 {Mib("size_gen1"):F0} gen2 {Mib("size_gen2"):F0} (+{Mib("frag_gen2"):F0} free) LOH {Mib("size_loh"):F0} (+{Mib("frag_loh"):F0} free) POH {Mib("size_poh"):F0}; ");
            text.Append(CultureInfo.InvariantCulture, $"spans held {(Gc.TryGetValue("spans", out var spans) ? spans : double.NaN):N0}");
            return text.ToString();
        }
    }
}
