using System.Diagnostics;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Acknowledgement latency of single 5,000-span agent exports, one probe at a time: idle (each probe waits until
/// ClickHouse holds the previous one), and under background load (SDK-shaped exports offered at a fixed share of the
/// measured end-to-end rate, paced, from their own connections). Latency runs from the first send to the 200,
/// retries included.
/// </summary>
internal static class AckLatency
{
    public static async Task<LatencyResult> IdleAsync(OtlpSender sender, AgentTraffic agents, long firstSequence, int samples, Func<ulong, Task> waitStored)
    {
        var acks = new List<double>();
        var sent = new List<DateTime>();
        var queryable = new List<double>();
        var refusals = 0;
        var gcBefore = ClientGc.Now();
        for (var i = 0; i < samples; i++)
        {
            var export = agents.Create(firstSequence + i);
            sent.Add(DateTime.UtcNow);
            var clock = Stopwatch.StartNew();
            refusals += await sender.SendUntilAcceptedAsync(export);
            acks.Add(clock.Elapsed.TotalMilliseconds);
            await waitStored(AgentTraffic.SpansPerExport);
            queryable.Add(clock.Elapsed.TotalMilliseconds);
        }

        return new LatencyResult(acks, sent, queryable, refusals, 0, 0, ClientGc.Now().Since(gcBefore));
    }

    public static async Task<LatencyResult> UnderLoadAsync(
        OtlpSender probeSender, OtlpSender backgroundSender, AgentTraffic agents, long firstProbe, SdkTraffic sdk, long firstBackground,
        double backgroundSpansPerSecond, int samples, TimeSpan probeInterval)
    {
        using var stop = new CancellationTokenSource();
        var exportsPerSecond = backgroundSpansPerSecond / SdkTraffic.SpansPerExport;
        long sentBackground = 0, skipped = 0;
        var outstanding = 0;
        var backgroundTasks = new List<Task>();
        var background = Task.Run(async () =>
        {
            // Open loop: exports are due at a fixed rate whatever TaskLens answers; at most 32 are outstanding, and an
            // export due while 32 wait is counted as skipped (the offered load was then more than TaskLens took).
            var clock = Stopwatch.StartNew();
            long due = 0;
            while (!stop.IsCancellationRequested)
            {
                var target = (long)(clock.Elapsed.TotalSeconds * exportsPerSecond);
                for (; due < target; due++)
                {
                    if (Volatile.Read(ref outstanding) >= 32)
                    {
                        skipped++;
                        continue;
                    }

                    Interlocked.Increment(ref outstanding);
                    var export = sdk.Create(firstBackground + sentBackground++);
                    backgroundTasks.Add(Task.Run(async () =>
                    {
                        try
                        {
                            await backgroundSender.SendUntilAcceptedAsync(export);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref outstanding);
                        }
                    }));
                }

                await Task.Delay(5);
            }
        });

        // Let the background load settle before the first probe.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var acks = new List<double>();
        var sent = new List<DateTime>();
        var refusals = 0;
        var gcBefore = ClientGc.Now();
        for (var i = 0; i < samples; i++)
        {
            var started = Stopwatch.StartNew();
            var export = agents.Create(firstProbe + i);
            sent.Add(DateTime.UtcNow);
            var clock = Stopwatch.StartNew();
            refusals += await probeSender.SendUntilAcceptedAsync(export);
            acks.Add(clock.Elapsed.TotalMilliseconds);
            var rest = probeInterval - started.Elapsed;
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }
        }

        var gc = ClientGc.Now().Since(gcBefore);
        await stop.CancelAsync();
        await background;
        await Task.WhenAll(backgroundTasks);
        return new LatencyResult(acks, sent, [], refusals, sentBackground * SdkTraffic.SpansPerExport, skipped * SdkTraffic.SpansPerExport, gc);
    }

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
