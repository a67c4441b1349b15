using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Goals;

/// <summary>What the goal tests share: an SDK exporter for agent spans.</summary>
internal static class GoalTraffic
{
    /// <summary>The OpenTelemetry SDK exporting <paramref name="source"/>'s spans of service <c>agents</c> to the host.</summary>
    public static TracerProvider CreateProvider(TaskLensHost host, OtlpExportProtocol protocol, string source) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("agents"))
            .AddSource(source)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = protocol == OtlpExportProtocol.Grpc ? host.GrpcEndpoint : host.HttpTracesEndpoint;
            })
            .Build()!;
}
