using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TaskLens.AgentSim;

/// <summary>The simulator's entry point: parse the flags, play goal runs, flush, report.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        SimOptions? options;
        try
        {
            options = SimOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(SimOptions.Usage);
            return 2;
        }

        if (options is null)
        {
            Console.WriteLine(SimOptions.Usage);
            return 0;
        }

        using var source = new ActivitySource("TaskLens.AgentSim", "0.2.0");
        using var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("agent-sim"))
            .AddSource(source.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Endpoint = options.Endpoint;
                o.Protocol = options.Http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                if (options.Key is not null)
                {
                    o.Headers = "Authorization=Bearer " + options.Key;
                }

                // The SDK's default queue (2,048 spans) would drop most of a 5,000-sub-task burst before export.
                o.BatchExportProcessorOptions = new BatchExportProcessorOptions<Activity>
                {
                    MaxQueueSize = 1 << 20,
                    MaxExportBatchSize = 4096,
                    ScheduledDelayMilliseconds = 200,
                };
            })
            .Build()!;

        var simulator = new GoalSimulator(source, options);
        var runs = 0;
        if (options.Mode == SimMode.Burst)
        {
            for (; runs < options.Goals; runs++)
            {
                var traceId = simulator.RunGoal(runs);
                Console.WriteLine($"goal run {runs + 1}/{options.Goals}: trace {traceId}");
            }
        }
        else
        {
            // Steady mode paces runs on a clock, bounded by --duration, so a load never runs unbounded.
            var clock = Stopwatch.StartNew();
            var interval = TimeSpan.FromSeconds(1 / Math.Max(options.Rate, 0.001));
            while (clock.Elapsed.TotalSeconds < options.DurationSeconds)
            {
                simulator.RunGoal(runs++);
                var due = interval * runs - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }
            }
        }

        if (!provider.ForceFlush(60_000))
        {
            Console.Error.WriteLine("The exporter did not confirm every span within 60 s.");
            return 1;
        }

        Console.WriteLine($"Sent {runs} goal runs, {simulator.SpansEmitted} spans, to {options.Endpoint}.");
        return 0;
    }
}
