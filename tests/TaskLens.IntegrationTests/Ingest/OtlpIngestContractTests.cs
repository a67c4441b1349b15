using System.Net;
using System.Text;
using System.Text.Json;
using TaskLens.Ingest;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.IntegrationTests.Traces;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.IntegrationTests.Ingest;

/// <summary>
/// The ingest contract of docs/ingest.md against the real Program and ClickHouse: every value kind stored
/// exactly, gzip on both transports, partial success, and a clear answer for each kind of bad input that leaves
/// good exports in flight untouched.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class OtlpIngestContractTests(ClickHouseFixture clickHouse) : IAsyncLifetime
{
    private TaskLensHost _host = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private async Task StartAsync(GrpcServerKind grpcServer = GrpcServerKind.Framing) =>
        _host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Ingest:MaxRequestBytes"] = "65536",
            ["TaskLens:Ingest:GrpcServer"] = grpcServer.ToString(),
        });

    [Fact]
    public async Task HttpGzip_HandBuiltSpanWithEveryValueKind_RoundTripsExactly()
    {
        await StartAsync();
        var traceId = Otlp.TraceId(0x61);
        var request = ProtoBuilder.Message(r => r.MessageField(1, rs =>
        {
            rs.MessageField(1, res => res
                .MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "handbuilt")))
                .VarintField(2, 11));
            rs.StringField(3, "https://resource/schema");
            rs.MessageField(2, ss =>
            {
                ss.MessageField(1, scope => scope.StringField(1, "lib").StringField(2, "3.0")
                    .MessageField(3, Otlp.Attribute("scope.flag", v => v.VarintField(2, 1))).VarintField(4, 12));
                ss.StringField(3, "https://scope/schema");
                ss.MessageField(2, s => s
                    .BytesField(1, traceId)
                    .BytesField(2, Otlp.SpanId(0x62))
                    .StringField(5, "every kind")
                    .VarintField(6, 5)
                    .Fixed64Field(7, 1_795_000_000_000_000_001)
                    .Fixed64Field(8, 1_795_000_000_999_999_999)
                    .Fixed32Field(16, 0x101)
                    .MessageField(9, Otlp.Attribute("bytes", v => v.BytesField(7, [0, 1, 254, 255])))
                    .MessageField(9, Otlp.Attribute("empty", _ => { }))
                    .MessageField(9, Otlp.Attribute("nan", v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(double.NaN))))
                    .MessageField(9, Otlp.Attribute("kv", v => v.MessageField(6, l => l
                        .MessageField(1, Otlp.Attribute("inner", x => x.MessageField(5, a => a.MessageField(1, y => y.VarintField(3, 7)))))
                        .MessageField(1, Otlp.Attribute("q", x => x.StringField(1, "\"quoted\"\n"))))))
                    .VarintField(10, 13)
                    .MessageField(11, e => e.Fixed64Field(1, 1_795_000_000_500_000_000).StringField(2, "ev").VarintField(4, 14))
                    .VarintField(12, 15)
                    .MessageField(13, l => l.BytesField(1, Otlp.TraceId(0x70)).BytesField(2, Otlp.SpanId(0x71)).Fixed32Field(6, 0x301)
                        .MessageField(4, Otlp.Attribute("why", v => v.StringField(1, "fan-in"))).VarintField(5, 16))
                    .VarintField(14, 17)
                    .MessageField(15, st => st.VarintField(3, 1)));
            });
        }));

        using var response = await OtlpClient.PostHttpAsync(_host.HttpTracesEndpoint, request, gzip: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());

        using var trace = await OtlpTraceRoundTripTests.GetTraceAsync(_host, Convert.ToHexStringLower(traceId), 1);
        var span = trace.RootElement.GetProperty("spans")[0];
        var attributes = OtlpTraceRoundTripTests.AttributesOf(span);
        Assert.Equal("""{"bytesValue":"AAH+/w=="}""", attributes["bytes"]);
        Assert.Equal("{}", attributes["empty"]);
        Assert.Equal("""{"doubleValue":"NaN"}""", attributes["nan"]);
        Assert.Equal(
            """{"kvlistValue":{"values":[{"key":"inner","value":{"arrayValue":{"values":[{"intValue":"7"}]}}},{"key":"q","value":{"stringValue":"\"quoted\"\n"}}]}}""",
            attributes["kv"]);
        Assert.Equal(("1795000000000000001", "1795000000999999999", "999999998"), (Str(span, "startTimeUnixNano"), Str(span, "endTimeUnixNano"), Str(span, "durationNanos")));
        Assert.Equal((5, 0x101U, 1), (span.GetProperty("kind").GetInt32(), span.GetProperty("flags").GetUInt32(), span.GetProperty("status").GetProperty("code").GetInt32()));
        Assert.Equal((13U, 15U, 17U), (U(span, "droppedAttributesCount"), U(span, "droppedEventsCount"), U(span, "droppedLinksCount")));
        var e = span.GetProperty("events")[0];
        Assert.Equal(("1795000000500000000", "ev", 14U), (Str(e, "timeUnixNano"), Str(e, "name"), U(e, "droppedAttributesCount")));
        var link = span.GetProperty("links")[0];
        Assert.Equal((Convert.ToHexStringLower(Otlp.TraceId(0x70)), Convert.ToHexStringLower(Otlp.SpanId(0x71)), 0x301U, 16U), (Str(link, "traceId"), Str(link, "spanId"), U(link, "flags"), U(link, "droppedAttributesCount")));
        Assert.Equal("""{"stringValue":"fan-in"}""", OtlpTraceRoundTripTests.AttributesOf(link)["why"]);
        var resource = span.GetProperty("resource");
        Assert.Equal(("https://resource/schema", 11U), (Str(resource, "schemaUrl"), U(resource, "droppedAttributesCount")));
        var scope = span.GetProperty("scope");
        Assert.Equal(("lib", "3.0", "https://scope/schema", 12U), (Str(scope, "name"), Str(scope, "version"), Str(scope, "schemaUrl"), U(scope, "droppedAttributesCount")));
        Assert.Equal("""{"boolValue":true}""", OtlpTraceRoundTripTests.AttributesOf(scope)["scope.flag"]);
    }

    [Theory]
    [InlineData(GrpcServerKind.Framing)]
    [InlineData(GrpcServerKind.Standard)]
    public async Task GrpcGzip_Export_IsStored(GrpcServerKind grpcServer)
    {
        await StartAsync(grpcServer);
        var request = Otlp.Request("grpc-gzip", s => s.BytesField(1, Otlp.TraceId(0x80)).BytesField(2, Otlp.SpanId(0x81)).StringField(5, "compressed"));

        var reply = await OtlpClient.CallGrpcAsync(_host.GrpcEndpoint, request, gzip: true);

        Assert.Equal((200, 0), (reply.HttpStatus, reply.GrpcStatus));
        Assert.Empty(reply.Message);
        using var trace = await OtlpTraceRoundTripTests.GetTraceAsync(_host, Convert.ToHexStringLower(Otlp.TraceId(0x80)), 1);
        Assert.Equal("compressed", trace.RootElement.GetProperty("spans")[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData(GrpcServerKind.Framing)]
    [InlineData(GrpcServerKind.Standard)]
    public async Task InvalidSpanIds_PartialSuccessOnBothTransports_ValidSpansStored(GrpcServerKind grpcServer)
    {
        await StartAsync(grpcServer);
        var traceId = Otlp.TraceId(0x90);
        byte[] Request(byte seed) => Otlp.Request(
            "partial",
            s => s.BytesField(1, traceId).BytesField(2, Otlp.SpanId(seed)).StringField(5, "good"),
            s => s.BytesField(1, new byte[5]).BytesField(2, Otlp.SpanId(1)).StringField(5, "bad"));

        using var http = await OtlpClient.PostHttpAsync(_host.HttpTracesEndpoint, Request(0x91));
        var grpc = await OtlpClient.CallGrpcAsync(_host.GrpcEndpoint, Request(0x92));

        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        Assert.Equal((1L, "span 1: trace_id must be 16 bytes, got 5"), ReadPartialSuccess(await http.Content.ReadAsByteArrayAsync()));
        Assert.Equal(0, grpc.GrpcStatus);
        Assert.Equal((1L, "span 1: trace_id must be 16 bytes, got 5"), ReadPartialSuccess(grpc.Message));
        using var trace = await OtlpTraceRoundTripTests.GetTraceAsync(_host, Convert.ToHexStringLower(traceId), 2);
        Assert.Equal(["good", "good"], trace.RootElement.GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData(GrpcServerKind.Framing)]
    [InlineData(GrpcServerKind.Standard)]
    public async Task BadInput_EachGetsItsAnswer_AndGoodExportsInFlightAreAllStored(GrpcServerKind grpcServer)
    {
        await StartAsync(grpcServer);
        var goodTrace = Otlp.TraceId(0xA0);
        var good = Enumerable.Range(0, 24).Select(i => Otlp.Request("steady", s => s.BytesField(1, goodTrace).BytesField(2, Otlp.SpanId((byte)(i + 1))).StringField(5, "good " + i))).ToList();
        var goodSends = good.Select((body, i) => i % 2 == 0
            ? OtlpClient.PostHttpAsync(_host.HttpTracesEndpoint, body).ContinueWith(t => t.Result.StatusCode == HttpStatusCode.OK, TaskScheduler.Default)
            : OtlpClient.CallGrpcAsync(_host.GrpcEndpoint, body).ContinueWith(t => t.Result.GrpcStatus == 0, TaskScheduler.Default)).ToList();

        // Malformed protobuf: 400 with google.rpc.Status INVALID_ARGUMENT; gRPC INVALID_ARGUMENT.
        using (var malformed = await OtlpClient.PostHttpAsync(_host.HttpTracesEndpoint, [0x0A, 0x09, 0x01]))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            var (code, message) = ReadStatus(await malformed.Content.ReadAsByteArrayAsync());
            Assert.Equal(3, code);
            Assert.StartsWith("Undecodable ExportTraceServiceRequest: resource_spans", message, StringComparison.Ordinal);
        }

        var grpcMalformed = await OtlpClient.CallGrpcAsync(_host.GrpcEndpoint, [0x0A, 0x09, 0x01]);
        Assert.Equal(3, grpcMalformed.GrpcStatus);
        Assert.StartsWith("Undecodable ExportTraceServiceRequest", grpcMalformed.GrpcMessage, StringComparison.Ordinal);

        // Content types other than protobuf and JSON, and unknown encodings, are refused: 415 with a Status body.
        using (var text = await OtlpClient.PostHttpAsync(_host.HttpTracesEndpoint, "{}"u8.ToArray(), "text/plain"))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
            Assert.Contains("application/x-protobuf or application/json", ReadStatus(await text.Content.ReadAsByteArrayAsync()).Message, StringComparison.Ordinal);
        }

        // Malformed OTLP/JSON: 400 with the Status as JSON, the request's encoding.
        using (var badJson = await OtlpClient.PostHttpAsync(_host.HttpTracesEndpoint, """{"resourceSpans": 7}"""u8.ToArray(), "application/json"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
            Assert.Equal("application/json", badJson.Content.Headers.ContentType?.MediaType);
            using var status = JsonDocument.Parse(await badJson.Content.ReadAsStringAsync());
            Assert.Equal(3, status.RootElement.GetProperty("code").GetInt32());
            Assert.Equal("Undecodable ExportTraceServiceRequest: ExportTraceServiceRequest.resourceSpans must be an array", status.RootElement.GetProperty("message").GetString());
        }

        using (var brotli = new HttpRequestMessage(HttpMethod.Post, _host.HttpTracesEndpoint) { Content = new ByteArrayContent(good[0]) })
        {
            brotli.Content.Headers.ContentType = new("application/x-protobuf");
            brotli.Content.Headers.ContentEncoding.Add("br");
            using var client = new HttpClient();
            using var refused = await client.SendAsync(brotli);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        }

        // Past the 64 KiB limit of this host: 413 plain or gzip-inflated; RESOURCE_EXHAUSTED over gRPC.
        var huge = Otlp.Request("huge", s => s.BytesField(1, goodTrace).BytesField(2, Otlp.SpanId(200)).StringField(5, new string('x', 70_000)));
        using (var tooLarge = await OtlpClient.PostHttpAsync(_host.HttpTracesEndpoint, huge))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
            Assert.Equal(8, ReadStatus(await tooLarge.Content.ReadAsByteArrayAsync()).Code);
        }

        using (var bomb = await OtlpClient.PostHttpAsync(_host.HttpTracesEndpoint, huge, gzip: true))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bomb.StatusCode);
        }

        Assert.Equal(8, (await OtlpClient.CallGrpcAsync(_host.GrpcEndpoint, huge)).GrpcStatus);
        Assert.Equal(8, (await OtlpClient.CallGrpcAsync(_host.GrpcEndpoint, huge, gzip: true)).GrpcStatus);

        // Unknown method, bad frame flag, unknown path.
        Assert.Equal(12, (await OtlpClient.CallGrpcAsync(_host.GrpcEndpoint, good[0], path: "/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export")).GrpcStatus);
        // A compressed flag other than 0 or 1: INTERNAL from the framing; Grpc.AspNetCore answers UNKNOWN. Neither is retried.
        Assert.Equal(
            grpcServer == GrpcServerKind.Framing ? 13 : 2,
            (await OtlpClient.CallGrpcAsync(_host.GrpcEndpoint, [], rawFrame: [7, 0, 0, 0, 0])).GrpcStatus);
        using (var unknownPath = await OtlpClient.PostHttpAsync(new Uri(_host.HttpTracesEndpoint, "/v1/spans"), good[0]))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknownPath.StatusCode);
        }

        Assert.All(await Task.WhenAll(goodSends), Assert.True);
        using var trace = await OtlpTraceRoundTripTests.GetTraceAsync(_host, Convert.ToHexStringLower(goodTrace), good.Count);
        Assert.Equal(good.Count, trace.RootElement.GetProperty("spans").GetArrayLength());
        Assert.DoesNotContain(trace.RootElement.GetProperty("spans").EnumerateArray(), s => Str(s, "serviceName") == "huge");
    }

    [Fact]
    public async Task HttpJson_Export_IsStoredAndAnsweredInJson()
    {
        await StartAsync();
        const string request = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-agent"}}]},
              "scopeSpans":[{"scope":{"name":"js"},"spans":[
                {"traceId":"D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF","spanId":"d0d1d2d3d4d5d6d7","name":"plan","kind":2,
                 "startTimeUnixNano":"1795000000000000000","endTimeUnixNano":1795000000000001000,
                 "attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":"1200"}}]},
                {"traceId":"D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF","spanId":"","name":"no id"}]}]}]}
            """;

        using var response = await OtlpClient.PostHttpAsync(_host.HttpTracesEndpoint, Encoding.UTF8.GetBytes(request), "application/json", gzip: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"partialSuccess":{"rejectedSpans":"1","errorMessage":"span 1: span_id must be 8 bytes, got 0"}}""", await response.Content.ReadAsStringAsync());
        using var trace = await OtlpTraceRoundTripTests.GetTraceAsync(_host, "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf", 1);
        var span = trace.RootElement.GetProperty("spans").EnumerateArray().Single();
        Assert.Equal(("plan", "json-agent", "1795000000000001000"), (Str(span, "name"), Str(span, "serviceName"), Str(span, "endTimeUnixNano")));
        Assert.Equal("""{"intValue":"1200"}""", OtlpTraceRoundTripTests.AttributesOf(span)["gen_ai.usage.input_tokens"]);
    }

    [Theory]
    [InlineData(GrpcServerKind.Framing)]
    [InlineData(GrpcServerKind.Standard)]
    public async Task RetriedExport_IsShownOnce(GrpcServerKind grpcServer)
    {
        await StartAsync(grpcServer);
        var traceId = Otlp.TraceId(0xB0);
        var request = Otlp.Request("retrying", s => s.BytesField(1, traceId).BytesField(2, Otlp.SpanId(0xB1)).StringField(5, "once"));

        using (await OtlpClient.PostHttpAsync(_host.HttpTracesEndpoint, request))
        using (await OtlpClient.PostHttpAsync(_host.HttpTracesEndpoint, request))
        {
            Assert.Equal(0, (await OtlpClient.CallGrpcAsync(_host.GrpcEndpoint, request)).GrpcStatus);
        }

        using var trace = await OtlpTraceRoundTripTests.GetTraceAsync(_host, Convert.ToHexStringLower(traceId), 1);
        Assert.Equal(1, trace.RootElement.GetProperty("spans").GetArrayLength());
        using var services = JsonDocument.Parse(await _host.Api.GetStringAsync(new Uri("/api/services", UriKind.Relative)));
        var service = services.RootElement.GetProperty("services").EnumerateArray().Single(s => Str(s, "name") == "retrying");
        Assert.Equal(1, service.GetProperty("spanCount").GetInt32());
    }

    [Fact]
    public async Task ReadApi_BadAndUnknownTraceIds_AreAnswered()
    {
        await StartAsync();
        using var bad = await _host.Api.GetAsync(new Uri("/api/traces/not-hex", UriKind.Relative));
        using var zero = await _host.Api.GetAsync(new Uri("/api/traces/" + new string('0', 32), UriKind.Relative));
        using var unknown = await _host.Api.GetAsync(new Uri("/api/traces/" + new string('e', 32), UriKind.Relative));

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.NotFound), (bad.StatusCode, zero.StatusCode, unknown.StatusCode));
    }

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static uint U(JsonElement e, string name) => e.GetProperty(name).GetUInt32();

    /// <summary>ExportTraceServiceResponse.partial_success → (rejected_spans, error_message).</summary>
    private static (long Rejected, string Message) ReadPartialSuccess(byte[] response)
    {
        var fields = ReadFields(response);
        var inner = ReadFields((byte[])fields[1]);
        return ((long)(ulong)inner[1], Encoding.UTF8.GetString((byte[])inner[2]));
    }

    /// <summary>google.rpc.Status → (code, message).</summary>
    private static (int Code, string Message) ReadStatus(byte[] body)
    {
        var fields = ReadFields(body);
        return ((int)(ulong)fields[1], Encoding.UTF8.GetString((byte[])fields[2]));
    }

    /// <summary>A flat protobuf read of varint and length-delimited fields, enough for the response messages.</summary>
    private static Dictionary<int, object> ReadFields(byte[] data)
    {
        var fields = new Dictionary<int, object>();
        var i = 0;
        ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = data[i++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }

        while (i < data.Length)
        {
            var tag = Varint();
            if ((tag & 7) == 0)
            {
                fields[(int)(tag >> 3)] = Varint();
            }
            else
            {
                var length = (int)Varint();
                fields[(int)(tag >> 3)] = data[i..(i + length)];
                i += length;
            }
        }

        return fields;
    }
}
