using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Goals;

/// <summary>What the goal tests share: an SDK exporter for agent spans, and polling the goal API for final runs.</summary>
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

    /// <summary>
    /// Polls a goal API path until <paramref name="done"/> holds: runs are final one quiet period after their last
    /// span. An error answer is waited out too (a run is 404 until first finalized).
    /// </summary>
    public static async Task<JsonDocument> GetUntilAsync(TaskLensHost host, string path, Func<JsonDocument, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await host.Api.GetAsync(new Uri(path, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                var document = JsonDocument.Parse(body);
                if (done(document))
                {
                    return document;
                }

                document.Dispose();
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} did not reach the expected state in 30 s: {(int)response.StatusCode} {body}");
            await Task.Delay(100);
        }
    }
}
