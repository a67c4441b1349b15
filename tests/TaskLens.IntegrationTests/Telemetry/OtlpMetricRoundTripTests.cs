using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using TaskLens.Ingest;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.IntegrationTests.Ingest;

namespace TaskLens.IntegrationTests.Telemetry;

/// <summary>
/// Metrics exported by the OpenTelemetry .NET SDK over OTLP/gRPC and OTLP/HTTP — counters, up-down counters,
/// gauges, explicit and exponential histograms, with exemplars — and a summary in an OTLP/JSON fixture come back
/// from <c>/api/metrics/{name}/points</c> with their values, temporality and monotonicity.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class OtlpMetricRoundTripTests(ClickHouseFixture clickHouse)
{
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc, MetricReaderTemporalityPreference.Cumulative, GrpcServerKind.Framing)]
    [InlineData(OtlpExportProtocol.Grpc, MetricReaderTemporalityPreference.Cumulative, GrpcServerKind.Standard)]
    [InlineData(OtlpExportProtocol.HttpProtobuf, MetricReaderTemporalityPreference.Delta, GrpcServerKind.Framing)]
    public async Task SdkExporter_EveryInstrument_RoundTrips(OtlpExportProtocol protocol, MetricReaderTemporalityPreference temporality, GrpcServerKind grpcServer)
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, TaskLensHost.GrpcSettings(grpcServer));
        var meterName = "agent-meter-" + protocol;
        using var activitySource = new ActivitySource(meterName);
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == meterName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("metric-service"))
            .AddMeter(meterName)
            .SetExemplarFilter(ExemplarFilterType.AlwaysOn)
            .AddView("tokens", new Base2ExponentialBucketHistogramConfiguration())
            .AddView("duration", new ExplicitBucketHistogramConfiguration { Boundaries = [1, 10, 100] })
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Protocol = protocol;
                exporter.Endpoint = protocol == OtlpExportProtocol.Grpc ? host.GrpcEndpoint : host.HttpMetricsEndpoint;
                reader.TemporalityPreference = temporality;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
            })
            .Build()!)
        using (var meter = new Meter(meterName, "1.0"))
        {
            var completed = meter.CreateCounter<long>("goals.completed", "{goal}");
            var inFlight = meter.CreateUpDownCounter<long>("goals.in_flight");
            var queue = meter.CreateGauge<double>("queue.depth");
            var duration = meter.CreateHistogram<double>("duration", "s");
            var tokens = meter.CreateHistogram<long>("tokens", "{token}");
            string traceId;
            using (var activity = activitySource.StartActivity("goal")!)
            {
                traceId = activity.TraceId.ToHexString();
                completed.Add(3, new KeyValuePair<string, object?>("goal", "triage"));
                completed.Add(2, new KeyValuePair<string, object?>("goal", "triage"));
                completed.Add(7, new KeyValuePair<string, object?>("goal", "research"));
            }

            inFlight.Add(5);
            inFlight.Add(-2);
            queue.Record(12.5);
            foreach (var d in new[] { 0.5, 5, 50, 500 })
            {
                duration.Record(d);
            }

            foreach (var t in new long[] { 100, 1000, 1000, 40_000 })
            {
                tokens.Record(t);
            }

            Assert.True(provider.ForceFlush(10_000), "the exporter did not flush");

            // Checked before the provider is disposed: disposal exports once more, and cumulative points repeat.
            await AssertStoredAsync(host, temporality, traceId);
        }
    }

    private static async Task AssertStoredAsync(TaskLensHost host, MetricReaderTemporalityPreference temporality, string traceId)
    {
        var expectedTemporality = temporality == MetricReaderTemporalityPreference.Delta ? 1 : 2;
        using (var triage = await OtlpLogRoundTripTests.GetJsonAsync(host, "/api/metrics/goals.completed/points?attr.goal=triage"))
        {
            var point = Assert.Single(triage.RootElement.GetProperty("points").EnumerateArray());
            Assert.Equal(("sum", "{goal}", true), (point.GetProperty("type").GetString(), point.GetProperty("unit").GetString(), point.GetProperty("isMonotonic").GetBoolean()));
            Assert.Equal(5, point.GetProperty("asInt").GetDouble());
            Assert.Equal(expectedTemporality, point.GetProperty("aggregationTemporality").GetInt32());
            Assert.Equal("metric-service", point.GetProperty("serviceName").GetString());
            var exemplar = point.GetProperty("exemplars").EnumerateArray().First();
            Assert.Equal(traceId, exemplar.GetProperty("traceId").GetString());
        }

        using (var all = await OtlpLogRoundTripTests.GetJsonAsync(host, "/api/metrics/goals.completed/points"))
        {
            Assert.Equal(2, all.RootElement.GetProperty("count").GetInt32());
        }

        using (var upDown = await OtlpLogRoundTripTests.GetJsonAsync(host, "/api/metrics/goals.in_flight/points"))
        {
            var point = Assert.Single(upDown.RootElement.GetProperty("points").EnumerateArray());
            Assert.Equal((3.0, false), (point.GetProperty("asInt").GetDouble(), point.GetProperty("isMonotonic").GetBoolean()));
        }

        using (var gauge = await OtlpLogRoundTripTests.GetJsonAsync(host, "/api/metrics/queue.depth/points"))
        {
            var point = Assert.Single(gauge.RootElement.GetProperty("points").EnumerateArray());
            Assert.Equal(("gauge", 12.5, 0), (point.GetProperty("type").GetString(), point.GetProperty("asDouble").GetDouble(), point.GetProperty("aggregationTemporality").GetInt32()));
        }

        using (var histogram = await OtlpLogRoundTripTests.GetJsonAsync(host, "/api/metrics/duration/points"))
        {
            var point = Assert.Single(histogram.RootElement.GetProperty("points").EnumerateArray());
            Assert.Equal(("histogram", "4", 555.5), (point.GetProperty("type").GetString(), point.GetProperty("count").GetString(), point.GetProperty("sum").GetDouble()));
            Assert.Equal((0.5, 500.0), (point.GetProperty("min").GetDouble(), point.GetProperty("max").GetDouble()));
            Assert.Equal(["1", "1", "1", "1"], point.GetProperty("bucketCounts").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal([1.0, 10, 100], point.GetProperty("explicitBounds").EnumerateArray().Select(c => c.GetDouble()));
        }

        using (var exponential = await OtlpLogRoundTripTests.GetJsonAsync(host, "/api/metrics/tokens/points"))
        {
            var point = Assert.Single(exponential.RootElement.GetProperty("points").EnumerateArray());
            Assert.Equal(("exponentialHistogram", "4", 42_100.0), (point.GetProperty("type").GetString(), point.GetProperty("count").GetString(), point.GetProperty("sum").GetDouble()));
            var positive = point.GetProperty("positive").GetProperty("bucketCounts").EnumerateArray().Sum(c => long.Parse(c.GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(4, positive);
        }

        using var names = await OtlpLogRoundTripTests.GetJsonAsync(host, "/api/metrics");
        Assert.Equal(
            ["duration", "goals.completed", "goals.in_flight", "queue.depth", "tokens"],
            names.RootElement.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task JsonSummaryFixture_RoundTrips_AndARetriedExportIsStoredOnce()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var json = $$$"""
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"prom-bridge"}}]},
              "scopeMetrics":[{"metrics":[{"name":"llm_latency_seconds","unit":"s","summary":{"dataPoints":[
                {"attributes":[{"key":"model","value":{"stringValue":"gpt-4o"}}],"timeUnixNano":"{{{now}}}","count":"120","sum":96.5,
                 "quantileValues":[{"quantile":0.5,"value":0.61},{"quantile":0.99,"value":"Infinity"}]},
                {"timeUnixNano":"0","count":"1"}]}}]}]}]}
            """;

        for (var i = 0; i < 3; i++)
        {
            using var response = await OtlpClient.PostHttpAsync(host.HttpMetricsEndpoint, Encoding.UTF8.GetBytes(json), "application/json");
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("1", answer.RootElement.GetProperty("partialSuccess").GetProperty("rejectedDataPoints").GetString());
        }

        using var points = await OtlpLogRoundTripTests.GetJsonAsync(host, "/api/metrics/llm_latency_seconds/points?attr.model=gpt-4o");
        var point = Assert.Single(points.RootElement.GetProperty("points").EnumerateArray());
        Assert.Equal(("summary", "120", 96.5), (point.GetProperty("type").GetString(), point.GetProperty("count").GetString(), point.GetProperty("sum").GetDouble()));
        var quantiles = point.GetProperty("quantileValues");
        Assert.Equal((0.99, "Infinity"), (quantiles[1].GetProperty("quantile").GetDouble(), quantiles[1].GetProperty("value").GetString()));
    }
}
