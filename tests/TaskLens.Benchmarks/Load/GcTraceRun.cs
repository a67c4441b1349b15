using System.Globalization;
using Microsoft.Diagnostics.Tracing;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// <c>gc-trace TRACE.nettrace [FROM TO]</c>: reads a server's runtime trace — taken with
/// <c>DOTNET_EnableEventPipe=1</c>, <c>DOTNET_EventPipeConfig=Microsoft-Windows-DotNETRuntime:0x1:4</c> (the GC keyword,
/// informational) and <c>DOTNET_EventPipeOutputPath=DIR/trace-{pid}.nettrace</c> — and prints every collection, or those
/// starting between FROM and TO (UTC, <c>HH:mm:ss.fff</c>, as <c>load-phases</c> prints its idle and loaded windows),
/// with its pauses and promoted bytes, then a summary by generation and type. A trace cut short (the server killed)
/// is read as far as it goes.
/// </summary>
internal static class GcTraceRun
{
    public static int Run(string path, TimeSpan? from, TimeSpan? to)
    {
        var collections = Read(path, out var complete);
        var window = collections.Where(c => from is null || (c.StartUtc.TimeOfDay >= from && c.StartUtc.TimeOfDay <= to)).ToList();
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(complete ? $"{path}: {collections.Count} collections" : $"{path}: {collections.Count} collections (trace cut short, read as far as it goes)");
        Console.WriteLine("     # start (UTC)    gen reason          type              ran ms  paused ms (suspending)  promoted gen0 / gen1 MiB  gen 2 after MiB");
        foreach (var c in window)
        {
            Console.WriteLine(string.Create(inv,
                $"{c.Number,6} {c.StartUtc:HH:mm:ss.fff} {c.Generation,3} {c.Reason,-15} {c.Type,-16} {c.EndMs - c.StartMs,7:F1} {c.PauseMs,10:F1} ({c.SuspendMs,5:F1}) x{c.Pauses}  {Mib(c.PromotedGen0Bytes),12:F1} / {Mib(c.PromotedGen1Bytes),5:F1}  {Mib(c.Gen2Bytes),15:F0}"));
        }

        foreach (var kind in window.GroupBy(c => $"gen {c.Generation} {(c.Blocking ? "blocking" : "background")}").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Console.WriteLine(string.Create(inv,
                $"{kind.Key}: {kind.Count()} collections, paused {kind.Sum(c => c.PauseMs):N0} ms ({kind.Average(c => c.PauseMs):N1} a collection, longest {kind.Max(c => c.PauseMs):N1}), promoted gen0 + gen1 {kind.Average(c => Mib(Math.Max(0, c.PromotedGen0Bytes)) + Mib(c.PromotedGen1Bytes)):N1} MiB a collection"));
        }

        Console.WriteLine(string.Create(inv, $"all: {window.Count} collections, paused {window.Sum(c => c.PauseMs):N0} ms"));
        return 0;
    }

    private static List<TracedCollection> Read(string path, out bool complete)
    {
        var collections = new List<TracedCollection>();
        var running = new Dictionary<int, TracedCollection>();
        TracedCollection? latest = null, ended = null;
        double suspendStart = -1, suspendStop = -1;
        using var source = new EventPipeEventSource(path);
        source.Clr.GCStart += e =>
        {
            latest = new TracedCollection
            {
                Number = e.Count, Generation = e.Depth, Reason = e.Reason.ToString(), Type = e.Type.ToString(),
                StartUtc = e.TimeStamp.ToUniversalTime(), StartMs = e.TimeStampRelativeMSec,
            };
            collections.Add(latest);
            running[e.Count] = latest;
        };
        source.Clr.GCStop += e =>
        {
            if (running.Remove(e.Count, out var c))
            {
                c.EndMs = e.TimeStampRelativeMSec;
                ended = c;
            }
        };
        source.Clr.GCHeapStats += e =>
        {
            if (ended is { PromotedGen0Bytes: < 0 } c)
            {
                c.PromotedGen0Bytes = e.TotalPromotedSize0;
                c.PromotedGen1Bytes = e.TotalPromotedSize1;
                c.Gen2Bytes = e.GenerationSize2;
            }
        };
        source.Clr.GCSuspendEEStart += e => suspendStart = e.TimeStampRelativeMSec;
        source.Clr.GCSuspendEEStop += e => suspendStop = e.TimeStampRelativeMSec;
        source.Clr.GCRestartEEStop += e =>
        {
            // A pause belongs to the collection started last: a background collection's two, or a foreground one's inside it.
            if (suspendStart >= 0 && latest is not null)
            {
                latest.PauseMs += e.TimeStampRelativeMSec - suspendStart;
                latest.SuspendMs += Math.Max(0, suspendStop - suspendStart);
                latest.Pauses++;
            }

            suspendStart = -1;
        };
        try
        {
            source.Process();
            complete = true;
        }
        catch (FormatException)
        {
            complete = false;
        }

        return collections;
    }

    private static double Mib(long bytes) => bytes / 1048576.0;
}
