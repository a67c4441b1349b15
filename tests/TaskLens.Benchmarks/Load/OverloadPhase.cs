using System.Diagnostics;
using System.Net;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// More than the admission budget can hold: <c>clients</c> exporters, each with one SDK-shaped export in flight at a
/// time (closed loop, so the load is bounded), sending for the phase's duration and retrying every refusal after its
/// Retry-After as OTLP exporters do. Afterwards each exporter finishes the export in hand; nothing is dropped by the
/// clients, so every offered span must end acknowledged and stored.
/// </summary>
internal static class OverloadPhase
{
    public static async Task<OverloadResult> RunAsync(OtlpSender sender, SdkTraffic sdk, long firstSequence, int clients, TimeSpan duration)
    {
        long next = firstSequence - 1, offered = 0, acknowledged = 0, tooMany = 0, unavailable = 0, retried = 0, withoutHint = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var export = sdk.Create(Interlocked.Increment(ref next));
                Interlocked.Increment(ref offered);
                for (var attempt = 0; ; attempt++)
                {
                    if (attempt > 0)
                    {
                        Interlocked.Increment(ref retried);
                    }

                    var (status, retryAfter) = await sender.PostAsync(export);
                    if (status == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref acknowledged);
                        break;
                    }

                    Interlocked.Increment(ref status == HttpStatusCode.TooManyRequests ? ref tooMany : ref unavailable);
                    if (retryAfter is null)
                    {
                        Interlocked.Increment(ref withoutHint);
                    }

                    await Task.Delay(retryAfter ?? TimeSpan.FromSeconds(1));
                }
            }
        })));
        const int spans = SdkTraffic.SpansPerExport;
        return new OverloadResult(
            clients, duration.TotalSeconds, offered * spans, (tooMany + unavailable) * spans, tooMany, unavailable, retried * spans,
            acknowledged * spans, withoutHint, (clock.Elapsed - duration).TotalSeconds);
    }
}
