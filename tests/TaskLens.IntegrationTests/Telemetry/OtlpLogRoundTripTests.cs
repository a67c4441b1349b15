using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using TaskLens.Ingest;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.IntegrationTests.Ingest;

namespace TaskLens.IntegrationTests.Telemetry;

/// <summary>
/// Log records exported by the OpenTelemetry .NET SDK over OTLP/gRPC and OTLP/HTTP, and an OTLP/JSON fixture, come
/// back from <c>/api/logs</c> with their fields, filterable by trace, service, severity and text.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class OtlpLogRoundTripTests(ClickHouseFixture clickHouse)
{
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc, GrpcServerKind.Framing)]
    [InlineData(OtlpExportProtocol.Grpc, GrpcServerKind.Standard)]
    [InlineData(OtlpExportProtocol.HttpProtobuf, GrpcServerKind.Framing)]
    public async Task SdkExporter_Logs_RoundTripAndFilter(OtlpExportProtocol protocol, GrpcServerKind grpcServer)
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, TaskLensHost.GrpcSettings(grpcServer));
        using var activitySource = new ActivitySource("log-test");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "log-test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        string traceId;
        using (var factory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Trace)
            .AddOpenTelemetry(o =>
            {
                o.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("log-service"));
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
                o.AddOtlpExporter(e =>
                {
                    e.Protocol = protocol;
                    e.Endpoint = protocol == OtlpExportProtocol.Grpc ? host.GrpcEndpoint : host.HttpLogsEndpoint;
                });
            })))
        {
            var logger = factory.CreateLogger("TaskLens.Agent");
            using (var activity = activitySource.StartActivity("goal")!)
            {
                traceId = activity.TraceId.ToHexString();
                AgentLog.ToolFailed(logger, "search", 429, 3);
            }

            AgentLog.GoalCompleted(logger, "triage inbox");
            AgentLog.Noise(logger);
        }

        // The factory's disposal flushed the exporter, which waits for the acknowledgement.
        using var byTrace = await GetJsonAsync(host, $"/api/logs?traceId={traceId}");
        var error = Assert.Single(byTrace.RootElement.GetProperty("logs").EnumerateArray());
        Assert.Equal(17, error.GetProperty("severityNumber").GetInt32());
        Assert.Equal("Error", error.GetProperty("severityText").GetString());
        Assert.Equal("Tool search failed with 429 after 3 attempts", error.GetProperty("body").GetProperty("stringValue").GetString());
        Assert.Equal("log-service", error.GetProperty("serviceName").GetString());
        Assert.Equal("TaskLens.Agent", error.GetProperty("scopeName").GetString());
        Assert.Equal(16, error.GetProperty("spanId").GetString()!.Length);
        var attributes = error.GetProperty("attributes").EnumerateArray().ToDictionary(a => a.GetProperty("key").GetString()!, a => a.GetProperty("value"));
        Assert.Equal("search", attributes["Tool"].GetProperty("stringValue").GetString());
        Assert.Equal("429", attributes["Status"].GetProperty("intValue").GetString());
        Assert.NotEqual("0", error.GetProperty("timeUnixNano").GetString());

        using var all = await GetJsonAsync(host, "/api/logs?service=log-service");
        Assert.Equal(3, all.RootElement.GetProperty("count").GetInt32());
        using var warnings = await GetJsonAsync(host, "/api/logs?severity=info");
        Assert.Equal(2, warnings.RootElement.GetProperty("count").GetInt32());
        using var text = await GetJsonAsync(host, "/api/logs?q=TRIAGE%20inbox");
        Assert.Equal("Goal triage inbox completed", Assert.Single(text.RootElement.GetProperty("logs").EnumerateArray()).GetProperty("body").GetProperty("stringValue").GetString());
        using var otherService = await GetJsonAsync(host, "/api/logs?service=nobody");
        Assert.Equal(0, otherService.RootElement.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task JsonFixture_SentTwice_IsStoredOnce_AndAnsweredInJson()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var json = $$$"""
            {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-agent"}}]},
              "scopeLogs":[{"scope":{"name":"fixture"},"logRecords":[
                {"timeUnixNano":"{{{now}}}","severityNumber":"SEVERITY_NUMBER_WARN","severityText":"WARN",
                 "body":{"kvlistValue":{"values":[{"key":"event","value":{"stringValue":"throttled"}},{"key":"retry_in_ms","value":{"intValue":"250"}}]}},
                 "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","unknownField":1},
                {"timeUnixNano":{{{now}}},"severity_number":9,"body":{"stringValue":"second"},"traceId":"xyz"}]}]}]}
            """;

        for (var i = 0; i < 2; i++)
        {
            using var response = await OtlpClient.PostHttpAsync(host.HttpLogsEndpoint, Encoding.UTF8.GetBytes(json), "application/json");
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var partial = answer.RootElement.GetProperty("partialSuccess");
            Assert.Equal("1", partial.GetProperty("rejectedLogRecords").GetString());
            Assert.Equal("log record 1: trace_id must be 16 bytes or empty, got 1", partial.GetProperty("errorMessage").GetString());
        }

        using var stored = await GetJsonAsync(host, "/api/logs?traceId=5b8efff798038103d269b633813fc60c");
        var log = Assert.Single(stored.RootElement.GetProperty("logs").EnumerateArray());
        Assert.Equal(13, log.GetProperty("severityNumber").GetInt32());
        Assert.Equal("eee19b7ec3c1b174", log.GetProperty("spanId").GetString());
        var body = log.GetProperty("body").GetProperty("kvlistValue").GetProperty("values");
        Assert.Equal("250", body[1].GetProperty("value").GetProperty("intValue").GetString());
    }

    [Theory]
    [InlineData(GrpcServerKind.Framing)]
    [InlineData(GrpcServerKind.Standard)]
    public async Task BadLogAndMetricExports_GetTheirAnswers_AndGoodOnesInFlightAreStored(GrpcServerKind grpcServer)
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, TaskLensHost.GrpcSettings(grpcServer));
        const string Logs = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
        const string Metrics = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var goodLogs = Enumerable.Range(0, 20).Select(i => TaskLens.UnitTests.TestSupport.Otlp.Request("good", r => r.Fixed64Field(1, now).MessageField(5, v => v.StringField(1, $"good {i}")))).ToList();
        var goodSends = goodLogs.Select(async (body, i) => i % 2 == 0
            ? (await OtlpClient.PostHttpAsync(host.HttpLogsEndpoint, body)).IsSuccessStatusCode
            : (await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, body, path: Logs)).GrpcStatus == 0).ToList();
        var truncated = goodLogs[0][..^2];

        using (var bad = await OtlpClient.PostHttpAsync(host.HttpLogsEndpoint, truncated))
        {
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/x-protobuf", bad.Content.Headers.ContentType?.MediaType);
        }

        using (var badJson = await OtlpClient.PostHttpAsync(host.HttpMetricsEndpoint, Encoding.UTF8.GetBytes("{\"resourceMetrics\":7}"), "application/json"))
        {
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, badJson.StatusCode);
            using var status = JsonDocument.Parse(await badJson.Content.ReadAsStringAsync());
            Assert.Equal(3, status.RootElement.GetProperty("code").GetInt32());
            Assert.Equal("Undecodable ExportMetricsServiceRequest: ExportMetricsServiceRequest.resourceMetrics must be an array", status.RootElement.GetProperty("message").GetString());
        }

        using (var xml = await OtlpClient.PostHttpAsync(host.HttpLogsEndpoint, [1], "application/xml"))
        {
            Assert.Equal(System.Net.HttpStatusCode.UnsupportedMediaType, xml.StatusCode);
        }

        var grpcBad = await OtlpClient.CallGrpcAsync(host.GrpcEndpoint, truncated, path: Metrics);
        Assert.Equal(3, grpcBad.GrpcStatus);

        Assert.All(await Task.WhenAll(goodSends), Assert.True);
        using var stored = await GetJsonAsync(host, "/api/logs?service=good&limit=100");
        Assert.Equal(20, stored.RootElement.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task BadQueries_Get400()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse);
        foreach (var query in new[] { "traceId=nothex", "severity=loud", "from=yesterday", "limit=0", "from=2026-11-25T10:00:00Z&to=2026-11-24T10:00:00Z" })
        {
            using var response = await host.Api.GetAsync(new Uri("/api/logs?" + query, UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    internal static async Task<JsonDocument> GetJsonAsync(TaskLensHost host, string path)
    {
        await host.WaitForStoredAsync();
        using var response = await host.Api.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }
}

/// <summary>What the simulated agent logs through the OpenTelemetry logging provider.</summary>
internal static partial class AgentLog
{
    [LoggerMessage(1, LogLevel.Error, "Tool {Tool} failed with {Status} after {Attempts} attempts")]
    public static partial void ToolFailed(ILogger logger, string tool, int status, int attempts);

    [LoggerMessage(2, LogLevel.Information, "Goal {Goal} completed")]
    public static partial void GoalCompleted(ILogger logger, string goal);

    [LoggerMessage(3, LogLevel.Debug, "noise")]
    public static partial void Noise(ILogger logger);
}
