using System.Diagnostics;
using System.Net;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskLens.Ingest;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.IntegrationTests.Ingest;

/// <summary>Ingest keys map exports to tenants; a missing or unknown key is refused and stores nothing.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class IngestKeyTests(ClickHouseFixture clickHouse)
{
    private const string AcmeKey = "acme-key-0123456789";
    private const string GlobexKey = "globex-key-0123456789";

    [Theory]
    [InlineData(GrpcServerKind.Framing)]
    [InlineData(GrpcServerKind.Standard)]
    public async Task Exports_WithKeys_AreStoredUnderTheirTenants_AndUnknownKeysAreRefused(GrpcServerKind grpcServer)
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Ingest:GrpcServer"] = grpcServer.ToString(),
            ["TaskLens:Ingest:OpenMode"] = "false",
            ["TaskLens:Ingest:ApiKeys:0:Key"] = AcmeKey,
            ["TaskLens:Ingest:ApiKeys:0:Tenant"] = "acme",
            ["TaskLens:Ingest:ApiKeys:1:Key"] = GlobexKey,
            ["TaskLens:Ingest:ApiKeys:1:Tenant"] = "globex",
        });

        // The real OpenTelemetry exporter, configured with headers the way users do (OTEL_EXPORTER_OTLP_HEADERS).
        using (var source = new ActivitySource("keyed"))
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("acme-agent"))
            .AddSource("keyed")
            .AddOtlpExporter(o =>
            {
                o.Endpoint = host.GrpcEndpoint;
                o.Protocol = OtlpExportProtocol.Grpc;
                o.Headers = "Authorization=Bearer " + AcmeKey;
            })
            .Build()!)
        {
            source.StartActivity("acme work")!.Dispose();
            Assert.True(provider.ForceFlush(10_000));
        }

        var globex = Otlp.Request("globex-agent", Otlp.Span(1, "globex work"));
        using (var stored = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, globex, authorization: "Bearer " + GlobexKey))
        {
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        }

        var intruder = Otlp.Request("intruder", Otlp.Span(2, "should not land"));
        using (var unknown = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, intruder, authorization: "Bearer not-a-key-0123456789"))
        using (var missing = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, intruder))
        {
            Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (unknown.StatusCode, missing.StatusCode));
            Assert.Equal("Bearer", unknown.Headers.WwwAuthenticate.Single().Scheme);
        }

        var grpcUnknown = await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, intruder, authorization: "Bearer not-a-key-0123456789");
        var grpcMissing = await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, intruder);
        Assert.Equal((16, 16), (grpcUnknown.GrpcStatus, grpcMissing.GrpcStatus));
        Assert.Equal("The ingest key is not known.", grpcUnknown.GrpcMessage);

        await host.WaitForStoredAsync();
        using var client = clickHouse.CreateClient(host.Database);
        var rows = await client.QueryAsync(
            "SELECT tenant, service_name, name FROM spans ORDER BY tenant",
            r => (r.GetString("tenant"), r.GetString("service_name"), r.GetString("name")),
            CancellationToken.None);
        Assert.Equal([("acme", "acme-agent", "acme work"), ("globex", "globex-agent", "globex work")], rows);
    }

    [Fact]
    public void OpenMode_OnAllInterfaces_IsRefusedAtStart()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Program.Create(
            ["--TaskLens:Ingest:OpenMode=true", "--TaskLens:Server:ListenAddress=0.0.0.0", $"--TaskLens:ClickHouse:Url={clickHouse.Url}"]));

        Assert.Contains("OpenMode accepts exports without a key, so it is allowed only on loopback", e.Message, StringComparison.Ordinal);
    }
}
