using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Spool;

namespace TaskLens.Benchmarks.Spool;

/// <summary>
/// The spool's append path alone, the real <see cref="DiskSpool"/> with its default options
/// (<c>spool-append [DIR] [PROBES] [ROUNDS] [BACKGROUND_PER_S] [PROBE_INTERVAL_MS]</c>): how long a 5,000-span export's
/// record (3 MiB) waits to be acknowledged while SDK-shaped 512-span exports' records (320 KiB) are appended beside it
/// by <see cref="BackgroundWriters"/> writers at a paced rate (16 a second: the load run's 50% background of
/// ~8,000 spans/s). Per round it prints both sizes' acknowledgement p50 / p99 as the caller sees it, the spool's own
/// phases from its <c>tasklens.spool.append.duration</c> histogram (wait per append; write and sync per group), syncs
/// a second and the process's CPU per MiB appended. A new spool directory each round, 64 MiB segments so rolls happen
/// as in a run. No decode, no HTTP, no ClickHouse. For an A/B, run two builds' harnesses round by round, alternating.
/// </summary>
internal static class SpoolAppendRun
{
    private const int ProbeBytes = 3 * 1024 * 1024;
    private const int BackgroundBytes = 320 * 1024;
    private const int BackgroundWriters = 4;

    public static async Task<int> RunAsync(string directory, int probes, int rounds, double backgroundPerSecond, TimeSpan probeInterval)
    {
        var probe = Record(ProbeBytes);
        var background = Record(BackgroundBytes);
        var all = new RoundResult();
        for (var round = 0; round < rounds; round++)
        {
            var path = Path.Combine(directory, $"{Environment.ProcessId}-{round}");
            var result = await RoundAsync(path, probe, background, probes, backgroundPerSecond, probeInterval);
            result.Print($"round {round}");
            all.Add(result);
        }

        if (rounds > 1)
        {
            all.Print("all rounds");
        }

        return 0;
    }

    private static async Task<RoundResult> RoundAsync(
        string path, SpoolRecord probe, SpoolRecord background, int probes, double backgroundPerSecond, TimeSpan probeInterval)
    {
        var options = new SpoolOptions { Path = path, MaxBytes = 64L * 1024 * 1024 * 1024, MaxShare = 1 };
        var result = new RoundResult();
        try
        {
            using var meters = new HarnessMeterFactory();
            using var listener = Listen(result);
            await using var spool = new DiskSpool(Options.Create(options), NullLogger<DiskSpool>.Instance, meters);
            for (var i = 0; !spool.NextSegmentPrepared && i < 3000; i++)
            {
                await Task.Delay(10);
            }

            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, BackgroundWriters)
                .Select(w => Task.Run(() => PacedWriterAsync(spool, background, backgroundPerSecond / BackgroundWriters, result.BackgroundAckMs, stop.Token)))
                .ToArray();
            await Task.Delay(1000);
            result.Begin();
            for (var i = 0; i < probes; i++)
            {
                var clock = Stopwatch.StartNew();
                await spool.AppendAsync(probe);
                result.Probe(clock.Elapsed.TotalMilliseconds, ProbeBytes);
                var rest = probeInterval - clock.Elapsed;
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest);
                }
            }

            result.End(background.EncodedLength);
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        finally
        {
            Directory.Delete(path, recursive: true);
        }

        return result;
    }

    /// <summary>One writer of 512-span records at <paramref name="perSecond"/>, each append awaited as an exporter would.</summary>
    private static async Task PacedWriterAsync(DiskSpool spool, SpoolRecord record, double perSecond, List<double> ackMs, CancellationToken stop)
    {
        // Spread the writers' first appends over one interval so they do not arrive in step.
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var next = Stopwatch.GetTimestamp() + (long)(Random.Shared.NextDouble() * interval.TotalSeconds * Stopwatch.Frequency);
        while (!stop.IsCancellationRequested)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, CancellationToken.None);
            }

            var started = Stopwatch.GetTimestamp();
            await spool.AppendAsync(record);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            lock (ackMs)
            {
                ackMs.Add(elapsed);
            }

            next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
        }
    }

    private static MeterListener Listen(RoundResult result)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "tasklens.spool.append.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "phase" && tag.Value is string phase)
                {
                    result.Phase(phase, seconds * 1000);
                }
            }
        });
        listener.Start();
        return listener;
    }

    private static SpoolRecord Record(int bytes)
    {
        var payload = new byte[bytes];
        new Random(bytes).NextBytes(payload);
        return new SpoolRecord(OtlpSignal.Traces, "bench", "svc", false, payload);
    }

    private sealed class HarnessMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    /// <summary>What one round (or all of them) measured; phases are counted only between <see cref="Begin"/> and <see cref="End"/>.</summary>
    private sealed class RoundResult
    {
        private readonly Dictionary<string, List<double>> _phases = new() { ["wait"] = [], ["write"] = [], ["sync"] = [] };
        private volatile bool _measuring;
        private long _startTicks;
        private TimeSpan _startCpu;
        private double _seconds;
        private double _cpuMs;
        private double _mib;
        private long _probeBytes;

        public List<double> ProbeAckMs { get; } = [];

        public List<double> BackgroundAckMs { get; } = [];

        public void Begin()
        {
            lock (BackgroundAckMs)
            {
                BackgroundAckMs.Clear();
            }

            _startTicks = Stopwatch.GetTimestamp();
            _startCpu = Process.GetCurrentProcess().TotalProcessorTime;
            _measuring = true;
        }

        public void Probe(double ms, int bytes)
        {
            ProbeAckMs.Add(ms);
            _probeBytes += bytes;
        }

        public void End(int backgroundRecordBytes)
        {
            _measuring = false;
            _seconds = Stopwatch.GetElapsedTime(_startTicks).TotalSeconds;
            _cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - _startCpu).TotalMilliseconds;
            lock (BackgroundAckMs)
            {
                _mib = (_probeBytes + ((long)BackgroundAckMs.Count * backgroundRecordBytes)) / 1048576.0;
            }
        }

        public void Phase(string phase, double ms)
        {
            if (!_measuring || !_phases.TryGetValue(phase, out var values))
            {
                return;
            }

            lock (values)
            {
                values.Add(ms);
            }
        }

        public void Add(RoundResult other)
        {
            ProbeAckMs.AddRange(other.ProbeAckMs);
            BackgroundAckMs.AddRange(other.BackgroundAckMs);
            foreach (var (phase, values) in other._phases)
            {
                _phases[phase].AddRange(values);
            }

            _seconds += other._seconds;
            _cpuMs += other._cpuMs;
            _mib += other._mib;
        }

        public void Print(string label)
        {
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv,
                $"{label}: probe (3 MiB) ack ms {P(ProbeAckMs)} n={ProbeAckMs.Count}; background (320 KiB) ack {P(BackgroundAckMs)} n={BackgroundAckMs.Count}"));
            Console.WriteLine(string.Create(inv,
                $"{label}: spool wait {P(_phases["wait"])}; write {P(_phases["write"])}; sync {P(_phases["sync"])}; " +
                $"{_phases["sync"].Count / _seconds:0.0} syncs/s, {_phases["write"].Count / _seconds:0.0} groups/s; " +
                $"CPU {_cpuMs / _mib:0.00} ms/MiB ({_mib / _seconds:0.0} MiB/s); load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        }

        private static string P(List<double> values)
        {
            var sorted = values.Order().ToList();
            if (sorted.Count == 0)
            {
                return "-";
            }

            double At(double p) => sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
            return string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.5):0.0} p99 {At(0.99):0.0} max {sorted[^1]:0.0}");
        }
    }
}
