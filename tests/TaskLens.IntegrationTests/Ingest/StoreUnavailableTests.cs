using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server;
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
    private WebApplication _app = null!;
    private int[] _ports = [];

    public async Task InitializeAsync()
    {
        var chPorts = FreePorts.Take(2);
        _clickHouse = new ClickHouseProcess(_directory, chPorts[0], chPorts[1], "clickhouse-server");
        await _clickHouse.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        _ports = FreePorts.Take(3);
        var config = new Dictionary<string, string?>
        {
            ["TaskLens:ClickHouse:Url"] = _clickHouse.Url,
            ["TaskLens:ClickHouse:MaxRetries"] = "0",
            ["TaskLens:ClickHouse:FlushInterval"] = "00:00:00.050",
            ["TaskLens:Server:ApiPort"] = _ports[0].ToString(CultureInfo.InvariantCulture),
            ["TaskLens:Server:OtlpGrpcPort"] = _ports[1].ToString(CultureInfo.InvariantCulture),
            ["TaskLens:Server:OtlpHttpPort"] = _ports[2].ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Critical",
        };
        _app = Program.Create([], b => b.Configuration.AddInMemoryCollection(config));
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _clickHouse.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Export_WhileClickHouseDown_IsRefusedRetryably_ThenStoredAfterItReturns()
    {
        var traceId = Otlp.TraceId(0xC0);
        var httpExport = Otlp.Request("outage", s => s.BytesField(1, traceId).BytesField(2, Otlp.SpanId(0xC1)).StringField(5, "via http"));
        var grpcExport = Otlp.Request("outage", s => s.BytesField(1, traceId).BytesField(2, Otlp.SpanId(0xC2)).StringField(5, "via grpc"));
        var http = new Uri($"http://127.0.0.1:{_ports[2]}/v1/traces");
        var grpc = new Uri($"http://127.0.0.1:{_ports[1]}");

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
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_ports[0]}") };
        var response = await api.GetStringAsync(new Uri($"/api/traces/{Convert.ToHexStringLower(traceId)}", UriKind.Relative));
        Assert.Contains("via http", response, StringComparison.Ordinal);
        Assert.Contains("via grpc", response, StringComparison.Ordinal);
    }
}
