using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskLens.Ingest;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Traces;

/// <summary>
/// Spans exported by the OpenTelemetry .NET SDK over OTLP/gRPC and OTLP/HTTP come back from
/// <c>/api/traces/{id}</c> with every field exactly as sent.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class OtlpTraceRoundTripTests(ClickHouseFixture clickHouse)
{
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc, GrpcServerKind.Framing)]
    [InlineData(OtlpExportProtocol.Grpc, GrpcServerKind.Standard)]
    [InlineData(OtlpExportProtocol.HttpProtobuf, GrpcServerKind.Framing)]
    public async Task Export_EveryFieldKind_RoundTripsExactly(OtlpExportProtocol protocol, GrpcServerKind grpcServer)
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, TaskLensHost.GrpcSettings(grpcServer));
        var sourceName = "roundtrip-" + protocol;
        var exported = new List<Activity>();
        using (var provider = CreateProvider(host, protocol, sourceName, exported))
        using (var source = new ActivitySource(sourceName, "1.2.3"))
        {
            var linkedContext = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "vendor=linked");
            using (var root = source.StartActivity("goal: triage inbox", ActivityKind.Server)!)
            {
                root.TraceStateString = "tasklens=1,other=two";
                root.SetTag("tasklens.goal.name", "triage inbox");
                root.SetTag("bool.attr", true);
                root.SetTag("int.attr", long.MinValue);
                root.SetTag("double.attr", 0.1 + 0.2);
                root.SetTag("string.array", new[] { "a", "b \"quoted\"", "ünïcode" });
                root.SetTag("int.array", new long[] { 1, -2, long.MaxValue });
                root.SetTag("double.array", new[] { 1.5, -0.25 });
                root.SetTag("bool.array", new[] { true, false });
                root.AddEvent(new ActivityEvent("tool.call", new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567), new ActivityTagsCollection
                {
                    ["tool.name"] = "search",
                    ["attempt"] = 2L,
                }));
                root.AddLink(new ActivityLink(linkedContext, new ActivityTagsCollection { ["link.reason"] = "retry of" }));

                using (var child = source.StartActivity("llm.chat", ActivityKind.Client)!)
                {
                    child.SetTag("gen_ai.request.model", "gpt-4o");
                    child.SetStatus(ActivityStatusCode.Error, "rate limited: 429");
                }
            }

            Assert.True(provider.ForceFlush(10_000), "the exporter did not flush");
        }

        Assert.Equal(2, exported.Count);
        var traceId = exported[0].TraceId.ToHexString();
        using var trace = await GetTraceAsync(host, traceId, expectedSpans: 2);
        var spans = trace.RootElement.GetProperty("spans").EnumerateArray().ToDictionary(s => s.GetProperty("spanId").GetString()!);

        foreach (var activity in exported)
        {
            var span = spans[activity.SpanId.ToHexString()];
            Assert.Equal(traceId, span.GetProperty("traceId").GetString());
            Assert.Equal(activity.ParentSpanId == default ? string.Empty : activity.ParentSpanId.ToHexString(), span.GetProperty("parentSpanId").GetString());
            Assert.Equal(activity.DisplayName, span.GetProperty("name").GetString());
            Assert.Equal(UnixNanos(activity.StartTimeUtc), span.GetProperty("startTimeUnixNano").GetString());
            Assert.Equal(UnixNanos(activity.StartTimeUtc + activity.Duration), span.GetProperty("endTimeUnixNano").GetString());
            Assert.Equal(activity.Kind == ActivityKind.Server ? 2 : 3, span.GetProperty("kind").GetInt32());
            Assert.Equal("roundtrip-service", span.GetProperty("serviceName").GetString());
            Assert.Equal(sourceName, span.GetProperty("scope").GetProperty("name").GetString());
            Assert.Equal("1.2.3", span.GetProperty("scope").GetProperty("version").GetString());
            Assert.Equal((uint)activity.ActivityTraceFlags, span.GetProperty("flags").GetUInt32() & 0xff);
        }

        var rootSpan = spans[exported.Single(a => a.ParentSpanId == default).SpanId.ToHexString()];
        Assert.Equal("tasklens=1,other=two", rootSpan.GetProperty("traceState").GetString());
        var attributes = AttributesOf(rootSpan);
        Assert.Equal("""{"stringValue":"triage inbox"}""", attributes["tasklens.goal.name"]);
        Assert.Equal("""{"boolValue":true}""", attributes["bool.attr"]);
        Assert.Equal("""{"intValue":"-9223372036854775808"}""", attributes["int.attr"]);
        Assert.Equal("""{"doubleValue":0.30000000000000004}""", attributes["double.attr"]);
        Assert.Equal("""{"arrayValue":{"values":[{"stringValue":"a"},{"stringValue":"b \"quoted\""},{"stringValue":"ünïcode"}]}}""", attributes["string.array"]);
        Assert.Equal("""{"arrayValue":{"values":[{"intValue":"1"},{"intValue":"-2"},{"intValue":"9223372036854775807"}]}}""", attributes["int.array"]);
        Assert.Equal("""{"arrayValue":{"values":[{"doubleValue":1.5},{"doubleValue":-0.25}]}}""", attributes["double.array"]);
        Assert.Equal("""{"arrayValue":{"values":[{"boolValue":true},{"boolValue":false}]}}""", attributes["bool.array"]);

        var resource = AttributesOf(rootSpan.GetProperty("resource"));
        Assert.Equal("""{"stringValue":"roundtrip-service"}""", resource["service.name"]);
        Assert.Equal("""{"stringValue":"9.9.9"}""", resource["service.version"]);
        Assert.Equal("""{"intValue":"42"}""", resource["deployment.shard"]);

        var e = Assert.Single(rootSpan.GetProperty("events").EnumerateArray());
        Assert.Equal("tool.call", e.GetProperty("name").GetString());
        Assert.Equal(UnixNanos(new DateTime(2026, 11, 24, 12, 0, 0, DateTimeKind.Utc).AddTicks(1234567)), e.GetProperty("timeUnixNano").GetString());
        var eventAttributes = AttributesOf(e);
        Assert.Equal("""{"stringValue":"search"}""", eventAttributes["tool.name"]);
        Assert.Equal("""{"intValue":"2"}""", eventAttributes["attempt"]);

        var link = Assert.Single(rootSpan.GetProperty("links").EnumerateArray());
        var exportedLink = exported.Single(a => a.ParentSpanId == default).Links.Single();
        Assert.Equal(exportedLink.Context.TraceId.ToHexString(), link.GetProperty("traceId").GetString());
        Assert.Equal(exportedLink.Context.SpanId.ToHexString(), link.GetProperty("spanId").GetString());
        Assert.Equal("vendor=linked", link.GetProperty("traceState").GetString());
        Assert.Equal("""{"stringValue":"retry of"}""", AttributesOf(link)["link.reason"]);

        var childSpan = spans[exported.Single(a => a.ParentSpanId != default).SpanId.ToHexString()];
        Assert.Equal(2, childSpan.GetProperty("status").GetProperty("code").GetInt32());
        Assert.Equal("rate limited: 429", childSpan.GetProperty("status").GetProperty("message").GetString());
        Assert.Equal(rootSpan.GetProperty("spanId").GetString(), childSpan.GetProperty("parentSpanId").GetString());

        using var services = JsonDocument.Parse(await host.Api.GetStringAsync(new Uri("/api/services", UriKind.Relative)));
        var service = Assert.Single(services.RootElement.GetProperty("services").EnumerateArray());
        Assert.Equal("roundtrip-service", service.GetProperty("name").GetString());
        Assert.Equal(2, service.GetProperty("spanCount").GetInt32());
    }

    private static TracerProvider CreateProvider(TaskLensHost host, OtlpExportProtocol protocol, string sourceName, List<Activity> exported) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty()
                .AddService("roundtrip-service", serviceVersion: "9.9.9")
                .AddAttributes([new("deployment.shard", 42L)]))
            .AddSource(sourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(exported)
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = protocol == OtlpExportProtocol.Grpc ? host.GrpcEndpoint : host.HttpTracesEndpoint;
            })
            .Build()!;

    internal static async Task<JsonDocument> GetTraceAsync(TaskLensHost host, string traceId, int expectedSpans)
    {
        // Exports are acknowledged only once stored, so the trace is readable at once; the short wait only
        // absorbs the exporter's own scheduling.
        for (var attempt = 0; ; attempt++)
        {
            using var response = await host.Api.GetAsync(new Uri($"/api/traces/{traceId}?limit=10000", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                if (document.RootElement.GetProperty("spans").GetArrayLength() >= expectedSpans || attempt >= 40)
                {
                    return document;
                }

                document.Dispose();
            }
            else if (attempt >= 40)
            {
                Assert.Fail($"GET /api/traces/{traceId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Each attribute's value as compact JSON with only the escapes JSON needs: the API escapes markup-sensitive and
    /// non-ASCII characters (\u003C, \u002B…), which are the same JSON values.
    /// </summary>
    internal static Dictionary<string, string> AttributesOf(JsonElement owner) =>
        owner.GetProperty("attributes").EnumerateArray().ToDictionary(
            a => a.GetProperty("key").GetString()!,
            a => JsonSerializer.Serialize(a.GetProperty("value"), Unescaped));

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string UnixNanos(DateTime utc) =>
        ((ulong)(utc - DateTime.UnixEpoch).Ticks * 100).ToString(CultureInfo.InvariantCulture);
}
