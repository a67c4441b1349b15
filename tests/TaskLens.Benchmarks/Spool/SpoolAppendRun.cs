using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Spool;

namespace TaskLens.Benchmarks.Spool;

/// <summary>
/// The spool's append path alone, the real <see cref="DiskSpool"/> (<c>spool-append [DIR] [PROBES] [ROUNDS]</c>): how long
/// a 5,000-span export's record (3 MiB) waits to be acknowledged while SDK-shaped exports' records (320 KiB, 43 a
/// second: the load run's background at 22,000 spans/s) are appended beside it — with segments made ahead
/// (<see cref="SpoolOptions.Preallocate"/>) and without (segments that grow), alternating, a new spool directory each
/// round, 64 MiB segments so rolls happen as in a run. No decode, no HTTP, no ClickHouse: what the durable stage
/// costs when a core is free.
/// </summary>
internal static class SpoolAppendRun
{
    private const int ProbeBytes = 3 * 1024 * 1024;
    private const int BackgroundBytes = 320 * 1024;
    private const double BackgroundPerSecond = 43;
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(100);

    public static async Task<int> RunAsync(string directory, int probes, int rounds)
    {
        var results = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        var probe = Record(ProbeBytes);
        var background = Record(BackgroundBytes);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var preallocate in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var path = Path.Combine(directory, $"{round}-{(preallocate ? "prealloc" : "grow")}");
                var acks = await RoundAsync(path, preallocate, probe, background, probes);
                results[preallocate].AddRange(acks);
                Print($"round {round} {(preallocate ? "preallocated" : "growing")}", acks);
            }
        }

        Print("all preallocated", results[true]);
        Print("all growing", results[false]);
        return 0;
    }

    private static async Task<List<double>> RoundAsync(string path, bool preallocate, SpoolRecord probe, SpoolRecord background, int probes)
    {
        var options = new SpoolOptions { Path = path, Preallocate = preallocate, MaxBytes = 64L * 1024 * 1024 * 1024, MaxShare = 1 };
        var acks = new List<double>();
        try
        {
            await using var spool = new DiskSpool(Options.Create(options), NullLogger<DiskSpool>.Instance);
            for (var i = 0; preallocate && !spool.NextSegmentPrepared && i < 3000; i++)
            {
                await Task.Delay(10);
            }

            using var stop = new CancellationTokenSource();
            var pending = new List<Task>();
            var load = Task.Run(async () =>
            {
                var clock = Stopwatch.StartNew();
                long due = 0;
                while (!stop.IsCancellationRequested)
                {
                    for (; due < (long)(clock.Elapsed.TotalSeconds * BackgroundPerSecond); due++)
                    {
                        pending.Add(spool.AppendAsync(background));
                    }

                    await Task.Delay(5);
                }
            });

            await Task.Delay(1000);
            for (var i = 0; i < probes; i++)
            {
                var clock = Stopwatch.StartNew();
                await spool.AppendAsync(probe);
                acks.Add(clock.Elapsed.TotalMilliseconds);
                var rest = ProbeInterval - clock.Elapsed;
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest);
                }
            }

            await stop.CancelAsync();
            await load;
            await Task.WhenAll(pending);
        }
        finally
        {
            Directory.Delete(path, recursive: true);
        }

        return acks;
    }

    private static SpoolRecord Record(int bytes)
    {
        var payload = new byte[bytes];
        new Random(bytes).NextBytes(payload);
        return new SpoolRecord(OtlpSignal.Traces, "bench", "svc", false, payload);
    }

    private static void Print(string label, List<double> acks)
    {
        var sorted = acks.Order().ToList();
        double At(double p) => sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-26} n={sorted.Count,4} ack ms p50 {At(0.5),6:0.0} p90 {At(0.9),6:0.0} p99 {At(0.99),6:0.0} max {sorted[^1],6:0.0}"));
    }
}
