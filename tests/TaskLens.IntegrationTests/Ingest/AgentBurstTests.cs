using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskLens.AgentSim;
using TaskLens.Ingest;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.IntegrationTests.Traces;

namespace TaskLens.IntegrationTests.Ingest;

/// <summary>
/// The burst TaskLens exists for: one agent goal fanning out into 5,000 sub-tasks in milliseconds, with nested
/// agents, throttled and retried LLM calls — every span the SDK emitted is stored, none twice.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class AgentBurstTests(ClickHouseFixture clickHouse)
{
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc, GrpcServerKind.Framing)]
    [InlineData(OtlpExportProtocol.Grpc, GrpcServerKind.Standard)]
    [InlineData(OtlpExportProtocol.HttpProtobuf, GrpcServerKind.Framing)]
    public async Task FiveThousandSubTaskGoal_IsStoredCompletely(OtlpExportProtocol protocol, GrpcServerKind grpcServer)
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, TaskLensHost.GrpcSettings(grpcServer));
        var options = new SimOptions { FanOut = 5000, Depth = 2, ThrottleRate = 0.05, ErrorRate = 0.02, Seed = 7 };
        string traceId;
        long emitted;
        using (var source = new ActivitySource("burst-" + protocol))
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("burst-agent"))
            .AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = protocol == OtlpExportProtocol.Grpc ? host.GrpcEndpoint : host.HttpTracesEndpoint;
                o.BatchExportProcessorOptions = new BatchExportProcessorOptions<Activity> { MaxQueueSize = 1 << 16, MaxExportBatchSize = 4096 };
            })
            .Build()!)
        {
            var simulator = new GoalSimulator(source, options);
            traceId = simulator.RunGoal(0);
            emitted = simulator.SpansEmitted;
            Assert.True(provider.ForceFlush(30_000));
        }

        using var trace = await OtlpTraceRoundTripTests.GetTraceAsync(host, traceId, (int)emitted);
        var spans = trace.RootElement.GetProperty("spans");
        Assert.Equal(emitted, spans.GetArrayLength());
        Assert.True(emitted > 5000, $"throttled calls add retried spans; emitted {emitted}");
        var ids = spans.EnumerateArray().Select(s => s.GetProperty("spanId").GetString()).ToHashSet();
        Assert.Equal(emitted, ids.Count);
        Assert.Contains(spans.EnumerateArray(), s => s.GetProperty("name").GetString() == "invoke_agent researcher");
    }
}
