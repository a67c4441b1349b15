using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskLens.AgentSim.Topology;

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

        if (options.Scenario is { } kind)
        {
            return await RunScenarioAsync(options, kind);
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

    /// <summary>Plays one origin scenario ending now, then posts its alerts when asked to.</summary>
    private static async Task<int> RunScenarioAsync(SimOptions options, string kind)
    {
        var scenario = OriginScenario.Create(kind, options.Seed);
        var faultStart = DateTimeOffset.UtcNow.AddMinutes(-scenario.FaultMinutes - 1);
        using var simulator = new TopologySimulator(scenario, faultStart, ScenarioExport.Otlp(options.Endpoint, options.Http, options.Key));
        simulator.Run();
        if (!simulator.Flush(120_000))
        {
            Console.Error.WriteLine("The exporters did not confirm every span within 120 s.");
            return 1;
        }

        var alerts = AlertRules.Evaluate(scenario, simulator.Figures, faultStart);
        Console.WriteLine($"Scenario {kind} (seed {options.Seed}): {simulator.SpansEmitted} spans of {scenario.Topology.Services.Count} services sent to {options.Endpoint}; {alerts.Count} alerts.");
        Console.WriteLine($"The fault was injected in: {scenario.Origin}.");
        if (options.AlertsUrl is { } webhook)
        {
            using var http = new HttpClient();
            await ScenarioExport.SendAlertsAsync(http, webhook, options.AlertToken, alerts, CancellationToken.None);
            Console.WriteLine($"Posted {alerts.Count} alerts to {webhook}.");
        }

        return 0;
    }
}
