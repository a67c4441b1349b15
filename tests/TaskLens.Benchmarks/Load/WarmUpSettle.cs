using System.Diagnostics;
using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// The second half of the load run's warm-up: after the warm-up's traffic is stored, the server is left (no traffic)
/// until the work a service does once in its first minute is behind it, so the measured phase sees a server at work
/// (issue 20 asks for the CPU per span of a service that runs for days). Three conditions, in order, under one cap:
/// the warm-up's goal runs are stored (the goal sweep has finalized and written runs, 30 s after their last span);
/// continuous detection has judged the steps that hold them (its first goal buckets read and run-outlier models
/// trained); then the tiered JIT is quiet — methods compiled (the <c>System.Runtime</c> counter the report already reads)
/// grew by at most <see cref="QuietMethodsPerSecond"/> a second over <see cref="QuietFor"/>. Past <see cref="Cap"/> the
/// run stops with what was missing, never waiting forever. What the wait saw is reported beside the phase, so the
/// start-up work it moved out of the phase stays visible.
/// </summary>
/// <remarks>
/// Every export of a load run carries the same span times (rounds differ in their trace ids only), so all the run's goal
/// runs fall in the one or two steps (minutes) detection judges first, and a step is judged once: after this wait the
/// measured phase holds no detection judging of the bench's runs (before it, on a quiet machine, that judging came due
/// inside the phase). Detection judges a step 45 s after it ends whether or not its runs are stored yet; on a machine
/// slow enough that the warm-up's runs are stored later than that, detection never sees them, and the run-outlier
/// trainings the report gives (none) say so.
/// </remarks>
internal static class WarmUpSettle
{
    /// <summary>The longest the wait may take before the run gives up.</summary>
    public static readonly TimeSpan Cap = TimeSpan.FromMinutes(5);

    /// <summary>The JIT counts as quiet at this many methods compiled a second or fewer, over <see cref="QuietFor"/>.</summary>
    public const double QuietMethodsPerSecond = 2;

    public static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>Waits for the three conditions (<paramref name="runsExpected"/>: the goal runs stored by the end of the warm-up's traffic).</summary>
    public static async Task<SettleResult> WaitAsync(HttpClient http, int apiPort, StoreProbe store, ProcessMeter meter, long runsExpected)
    {
        var clock = Stopwatch.StartNew();
        var (cpuBefore, _) = meter.Cpu();
        var runtimeBefore = await RuntimeCounters.ScrapeAsync(http, apiPort);

        var runs = await store.WaitForRunsAsync((ulong)runsExpected, Cap);
        if (runs < (ulong)runsExpected)
        {
            throw Unsettled(clock, string.Create(CultureInfo.InvariantCulture, $"goal runs stored {runs:N0} of the warm-up's {runsExpected:N0}"));
        }

        var runsStoredAt = clock.Elapsed;
        var lastRunEnded = await store.LastRunEndedAsync();
        DateTimeOffset judgedUntil;
        while ((judgedUntil = await DetectionProgress.JudgedUntilAsync(http, apiPort)) <= lastRunEnded)
        {
            if (clock.Elapsed > Cap)
            {
                throw Unsettled(clock, judgedUntil == DateTimeOffset.MinValue
                    ? $"detection reported no lag (`{DetectionProgress.Lag}`): is it enabled?"
                    : string.Create(CultureInfo.InvariantCulture, $"detection has judged until {judgedUntil:HH:mm:ss}, not past the warm-up's last goal run ({lastRunEnded:HH:mm:ss})"));
            }

            await Task.Delay(Poll);
        }

        var detectionAt = clock.Elapsed;
        var jit = new JitQuietWindow(QuietFor, QuietMethodsPerSecond);
        while (!jit.Add(clock.Elapsed, (await RuntimeCounters.ScrapeAsync(http, apiPort)).CompiledMethods))
        {
            if (clock.Elapsed > Cap)
            {
                throw Unsettled(clock, string.Create(CultureInfo.InvariantCulture,
                    $"the JIT compiled {jit.Compiled:N0} methods in the last {jit.Covered.TotalSeconds:N0} s (quiet: at most {QuietMethodsPerSecond:0.#} a second over {QuietFor.TotalSeconds:N0} s)"));
            }

            await Task.Delay(Poll);
        }

        var runtimeAfter = await RuntimeCounters.ScrapeAsync(http, apiPort);
        var (cpuAfter, _) = meter.Cpu();
        return new SettleResult(
            clock.Elapsed.TotalSeconds,
            runsStoredAt.TotalSeconds,
            detectionAt.TotalSeconds,
            (long)runs,
            runtimeAfter.CompiledMethods - runtimeBefore.CompiledMethods,
            runtimeAfter.CompilationSeconds - runtimeBefore.CompilationSeconds,
            (cpuAfter - cpuBefore).TotalSeconds,
            await DetectionProgress.RunOutlierTrainingsAsync(http, apiPort));
    }

    private static TimeoutException Unsettled(Stopwatch clock, string missing) =>
        new(string.Create(CultureInfo.InvariantCulture, $"The warm-up did not settle within {clock.Elapsed.TotalSeconds:N0} s (cap {Cap.TotalSeconds:N0} s): {missing}."));
}
