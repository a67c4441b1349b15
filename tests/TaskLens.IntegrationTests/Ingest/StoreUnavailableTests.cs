using System.Net;
using TaskLens.Ingest;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server.EmbeddedClickHouse;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.IntegrationTests.Ingest;

/// <summary>
/// With ClickHouse down, the spool absorbs exports (acknowledged, then stored when ClickHouse returns) up to its cap,
/// past which exports are refused with the answers OTLP clients retry (HTTP 503 + Retry-After, gRPC UNAVAILABLE).
/// Without the spool, every export during the outage gets those answers. Nothing is acknowledged and dropped.
/// </summary>
public sealed class StoreUnavailableTests : IAsyncLifetime
{
    private const string FloodKey = "flood-key-0123456789", QuietKey = "quiet-key-0123456789";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-down-" + Guid.NewGuid().ToString("N")[..8]);
    private ClickHouseProcess _clickHouse = null!;

    public async Task InitializeAsync()
    {
        var chPorts = FreePorts.Take(2);
        _clickHouse = new ClickHouseProcess(_directory, chPorts[0], chPorts[1], "clickhouse-server");
        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _clickHouse.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A host with two tenants' keys (flooding and quiet), a 128 KiB spool in 64 KiB segments, no ClickHouse retries.</summary>
    private Task<TaskLensHost> StartTwoTenantHostAsync(string name, GrpcServerKind grpcServer = GrpcServerKind.Framing) =>
        TaskLensHost.StartAsync(_clickHouse.Url, name, new Dictionary<string, string?>
        {
            ["TaskLens:Ingest:GrpcServer"] = grpcServer.ToString(),
            ["TaskLens:ClickHouse:MaxRetries"] = "0",
            ["TaskLens:Ingest:OpenMode"] = "false",
            ["TaskLens:Ingest:ApiKeys:0:Key"] = FloodKey,
            ["TaskLens:Ingest:ApiKeys:0:Tenant"] = "flood",
            ["TaskLens:Ingest:ApiKeys:1:Key"] = QuietKey,
            ["TaskLens:Ingest:ApiKeys:1:Tenant"] = "quiet",
            ["TaskLens:Spool:SegmentBytes"] = "65536",
            ["TaskLens:Spool:MaxBytes"] = "131072",
            ["Logging:LogLevel:Default"] = "Critical",
        });

    /// <summary>A one-span export of about 20 kB (its name padded), so a few of them fill a small spool's share.</summary>
    private static byte[] PaddedExport(string service, byte traceId, int spanId) =>
        Otlp.Request(service, s => s.BytesField(1, Otlp.TraceId(traceId)).BytesField(2, Otlp.SpanId((byte)spanId)).StringField(5, new string('x', 20_000)));

    [Theory]
    [InlineData(GrpcServerKind.Framing)]
    [InlineData(GrpcServerKind.Standard)]
    public async Task WithSpool_ExportsDuringAnOutageAreAcknowledged_StoredWhenClickHouseReturns_AndTheCapPushesBack(GrpcServerKind grpcServer)
    {
        await using var host = await StartHostAsync("spooled", spool: true, grpcServer);
        var traceId = Otlp.TraceId(0xB0);
        var exports = Enumerable.Range(0, 6)
            .Select(i => Otlp.Request("outage", s => s.BytesField(1, traceId).BytesField(2, Otlp.SpanId((byte)(0xB1 + i))).StringField(5, $"span {i} " + new string('x', 20_000))))
            .ToList();

        await _clickHouse.StopAsync();
        var answers = new List<HttpStatusCode>();
        foreach (var export in exports.Take(4))
        {
            using var reply = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, export);
            answers.Add(reply.StatusCode);
            if (reply.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.NotNull(reply.Headers.RetryAfter?.Delta);
            }
        }

        // The 64 KiB cap holds three of these exports; the fourth is pushed back, by gRPC too.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable], answers);
        Assert.Equal(14, (await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, exports[4])).GrpcStatus);

        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        await host.WaitForStoredAsync(TimeSpan.FromSeconds(60));

        // Room again: the client's retries of the refused exports succeed.
        using (var retried = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, exports[3]))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }

        Assert.Equal(0, (await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, exports[4])).GrpcStatus);
        await host.WaitForStoredAsync();
        var response = await host.Api.GetStringAsync(new Uri($"/api/traces/{Convert.ToHexStringLower(traceId)}", UriKind.Relative));
        for (var i = 0; i < 5; i++)
        {
            Assert.Contains($"span {i} ", response, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("span 5 ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithSpool_DuringAnOutage_AFloodingTenantIsHeldToItsShare_WhileAnotherTenantStillGetsIn()
    {
        await using var host = await StartTwoTenantHostAsync("shares");
        byte[] Export(string service, int i) => PaddedExport(service, 0xD0, 0x10 + i);

        await _clickHouse.StopAsync();
        var flood = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var reply = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, Export("crawler", i), authorization: "Bearer " + FloodKey);
            flood.Add(reply.StatusCode);
        }

        using var quiet = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, Export("checkout", 9), authorization: "Bearer " + QuietKey);
        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);

        // Half of the 128 KiB cap is 64 KiB: three 20 kB exports; the rest of the flood is pushed back.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable], flood);
        Assert.Equal(HttpStatusCode.OK, quiet.StatusCode);
        await host.WaitForStoredAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task WithSpool_ATenantOverItsShare_IsRefusedBeforeItsExportIsValidated_AndAnotherTenantsDataIsStored()
    {
        await using var host = await StartTwoTenantHostAsync("early");
        byte[] Export(string service, int i) => PaddedExport(service, 0xD1, 0x20 + i);

        await _clickHouse.StopAsync();
        for (var i = 0; i < 3; i++)
        {
            // Three 20 kB exports: the flooding tenant now holds nearly its share (half of the 128 KiB cap).
            using var taken = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, Export("crawler", i), authorization: "Bearer " + FloodKey);
            Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        }

        // Bodies that are not OTLP at all: validated, they would be answered 400. Refused before validation, they get
        // the retryable 503 — once by the declared length before the body is read, once by the inflated length of a
        // gzip body (what would be spooled) before it is decoded.
        var garbage = Enumerable.Repeat((byte)0xFF, 20_000).ToArray();
        using var unread = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, garbage, authorization: "Bearer " + FloodKey);
        using var inflated = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, garbage, gzip: true, authorization: "Bearer " + FloodKey);
        using var quiet = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, Export("checkout", 9), authorization: "Bearer " + QuietKey);
        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unread.StatusCode);
        Assert.NotNull(unread.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, inflated.StatusCode);
        Assert.Equal(HttpStatusCode.OK, quiet.StatusCode);
        await host.WaitForStoredAsync(TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData(GrpcServerKind.Framing)]
    [InlineData(GrpcServerKind.Standard)]
    public async Task WithSpool_ATenantOverItsShare_IsRefusedOverGrpcBeforeItsMessageIsRead_WhileAnotherTenantsExportInFlightGoesThrough(GrpcServerKind grpcServer)
    {
        await using var host = await StartTwoTenantHostAsync("early_grpc_" + grpcServer.ToString().ToLowerInvariant(), grpcServer);
        byte[] Export(string service, int i) => PaddedExport(service, 0xD2, 0x30 + i);

        await _clickHouse.StopAsync();
        for (var i = 0; i < 3; i++)
        {
            // Three 20 kB exports: the flooding tenant now holds nearly its share (half of the 128 KiB cap).
            using var taken = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, Export("crawler", i), authorization: "Bearer " + FloodKey);
            Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        }

        // Another tenant's export, half sent when the flood's next one arrives.
        var quietFrame = Frame(Export("checkout", 9));
        var quietBody = new HeldContent(quietFrame[..(quietFrame.Length / 2)], quietFrame[(quietFrame.Length / 2)..]);
        var quiet = OtlpClient.CallGrpcAsync(host.GrpcEndpoint, quietBody, authorization: "Bearer " + QuietKey);

        // The flood's next export: a prefix declaring 20,000 bytes, and a message that never comes (and would not be
        // OTLP if it did). Only a refusal made before the message is read can be answered.
        var floodBody = new HeldContent(Frame(new byte[20_000])[..5], new byte[20_000]);
        var refused = await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, floodBody, authorization: "Bearer " + FloodKey).WaitAsync(TimeSpan.FromSeconds(30));
        var quietWaited = !quiet.IsCompleted;
        quietBody.Release();
        var accepted = await quiet.WaitAsync(TimeSpan.FromSeconds(30));
        floodBody.Release();
        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);

        Assert.Equal(14, refused.GrpcStatus);
        Assert.Contains("type.googleapis.com/google.rpc.RetryInfo", System.Text.Encoding.ASCII.GetString(refused.StatusDetails), StringComparison.Ordinal);
        Assert.True(quietWaited, "the quiet tenant's export was answered before all of it was sent");
        Assert.Equal(0, accepted.GrpcStatus);
        await host.WaitForStoredAsync(TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData(GrpcServerKind.Framing)]
    [InlineData(GrpcServerKind.Standard)]
    public async Task WithoutSpool_Export_WhileClickHouseDown_IsRefusedRetryably_ThenStoredAfterItReturns(GrpcServerKind grpcServer)
    {
        await using var host = await StartHostAsync("direct", spool: false, grpcServer);
        var traceId = Otlp.TraceId(0xC0);
        var httpExport = Otlp.Request("outage", s => s.BytesField(1, traceId).BytesField(2, Otlp.SpanId(0xC1)).StringField(5, "via http"));
        var grpcExport = Otlp.Request("outage", s => s.BytesField(1, traceId).BytesField(2, Otlp.SpanId(0xC2)).StringField(5, "via grpc"));
        var http = host.HttpTracesEndpoint;
        var grpc = host.GrpcEndpoint;

        await _clickHouse.StopAsync();
        using (var refused = await OtlpClient.PostHttpAsync(http, httpExport))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        }

        Assert.Equal(14, (await OtlpClient.CallGrpcAsync(grpc, grpcExport)).GrpcStatus);

        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        using (var accepted = await OtlpClient.PostHttpAsync(http, httpExport))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        Assert.Equal(0, (await OtlpClient.CallGrpcAsync(grpc, grpcExport)).GrpcStatus);
        var response = await host.Api.GetStringAsync(new Uri($"/api/traces/{Convert.ToHexStringLower(traceId)}", UriKind.Relative));
        Assert.Contains("via http", response, StringComparison.Ordinal);
        Assert.Contains("via grpc", response, StringComparison.Ordinal);
    }

    private static byte[] Frame(byte[] message)
    {
        var frame = new byte[5 + message.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    private Task<TaskLensHost> StartHostAsync(string database, bool spool, GrpcServerKind grpcServer = GrpcServerKind.Framing) =>
        TaskLensHost.StartAsync(
            _clickHouse.Url,
            database,
            new Dictionary<string, string?>
            {
                ["TaskLens:Ingest:GrpcServer"] = grpcServer.ToString(),
                ["TaskLens:ClickHouse:MaxRetries"] = "0",
                ["TaskLens:Spool:Enabled"] = spool ? "true" : "false",
                ["TaskLens:Spool:SegmentBytes"] = "65536",
                ["TaskLens:Spool:MaxBytes"] = "65536",
                ["TaskLens:Spool:MaxShare"] = "1",
                ["TaskLens:Spool:MaxRetryDelay"] = "00:00:00.500",
                ["Logging:LogLevel:Default"] = "Critical",
            });
}
