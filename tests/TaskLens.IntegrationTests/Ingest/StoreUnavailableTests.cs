using System.Net;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server.EmbeddedClickHouse;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.IntegrationTests.Ingest;

/// <summary>
/// With ClickHouse down, exports are refused with the answers OTLP clients retry (HTTP 503 + Retry-After, gRPC
/// UNAVAILABLE) — never acknowledged and dropped — and the same exports succeed once ClickHouse is back.
/// </summary>
public sealed class StoreUnavailableTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-down-" + Guid.NewGuid().ToString("N")[..8]);
    private ClickHouseProcess _clickHouse = null!;
    private TaskLensHost _host = null!;

    public async Task InitializeAsync()
    {
        var chPorts = FreePorts.Take(2);
        _clickHouse = new ClickHouseProcess(_directory, chPorts[0], chPorts[1], "clickhouse-server");
        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        _host = await TaskLensHost.StartAsync(
            _clickHouse.Url,
            "default",
            new Dictionary<string, string?>
            {
                ["TaskLens:ClickHouse:MaxRetries"] = "0",
                ["Logging:LogLevel:Default"] = "Critical",
            });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _clickHouse.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Export_WhileClickHouseDown_IsRefusedRetryably_ThenStoredAfterItReturns()
    {
        var traceId = Otlp.TraceId(0xC0);
        var httpExport = Otlp.Request("outage", s => s.BytesField(1, traceId).BytesField(2, Otlp.SpanId(0xC1)).StringField(5, "via http"));
        var grpcExport = Otlp.Request("outage", s => s.BytesField(1, traceId).BytesField(2, Otlp.SpanId(0xC2)).StringField(5, "via grpc"));
        var http = _host.HttpTracesEndpoint;
        var grpc = _host.GrpcEndpoint;

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
        var response = await _host.Api.GetStringAsync(new Uri($"/api/traces/{Convert.ToHexStringLower(traceId)}", UriKind.Relative));
        Assert.Contains("via http", response, StringComparison.Ordinal);
        Assert.Contains("via grpc", response, StringComparison.Ordinal);
    }
}
