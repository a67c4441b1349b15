using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskLens.AgentSim;

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

using var source = new ActivitySource("TaskLens.AgentSim", "0.1.0");
using var provider = Sdk.CreateTracerProviderBuilder()
    .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("agent-sim"))
    .AddSource(source.Name)
    .SetSampler(new AlwaysOnSampler())
    .AddOtlpExporter(o =>
    {
        o.Endpoint = options.Endpoint;
        o.Protocol = options.Http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;

        // The SDK's default queue (2,048 spans) drops the rest of a 5,000-sub-task burst before export.
        o.BatchExportProcessorOptions = new BatchExportProcessorOptions<Activity>
        {
            MaxQueueSize = 1 << 17,
            MaxExportBatchSize = 4096,
            ScheduledDelayMilliseconds = 200,
        };
    })
    .Build()!;

var simulator = new GoalSimulator(source, options);
for (var i = 0; i < options.Goals; i++)
{
    var traceId = simulator.RunGoal(i);
    Console.WriteLine($"goal run {i + 1}/{options.Goals}: trace {traceId} with {options.FanOut} sub-tasks");
}

if (!provider.ForceFlush(30_000))
{
    Console.Error.WriteLine("The exporter did not confirm every span within 30 s.");
    return 1;
}

Console.WriteLine($"Sent {options.Goals * (options.FanOut + 1)} spans to {options.Endpoint}.");
return 0;
