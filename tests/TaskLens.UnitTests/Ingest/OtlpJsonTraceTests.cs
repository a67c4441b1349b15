using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Ingest;

public sealed class OtlpJsonTraceTests
{
    /// <summary>One span with every field, in OTLP/JSON with the spec's quirks mixed in.</summary>
    internal const string EveryQuirk = """
        {
          "resourceSpans": [{
            "resource": {
              "attributes": [
                {"key": "service.name", "value": {"stringValue": "checkout"}},
                {"key": "host.cores", "value": {"intValue": 8}}
              ],
              "droppedAttributesCount": 3
            },
            "schemaUrl": "https://opentelemetry.io/schemas/1.30.0",
            "futureField": {"ignored": [1, 2, 3]},
            "scope_spans": [{
              "scope": {"name": "agent-lib", "version": "2.1.0", "attributes": [{"key": "scope.attr", "value": {"boolValue": true}}], "dropped_attributes_count": 4},
              "schemaUrl": "https://scope/schema",
              "spans": [{
                "traceId": "101112131415161718191A1B1C1D1E1F",
                "spanId": "202326292c2f3235",
                "traceState": "vendor=a",
                "parentSpanId": "303336393c3f4245",
                "flags": 769,
                "name": "tool: search",
                "kind": "SPAN_KIND_CLIENT",
                "startTimeUnixNano": "1",
                "endTimeUnixNano": "18446744073709551615",
                "attributes": [
                  {"key": "a.string", "value": {"stringValue": "ü \"q\""}},
                  {"key": "int", "value": {"int_value": "-9223372036854775808"}},
                  {"key": "nan", "value": {"doubleValue": "NaN"}},
                  {"key": "double", "value": {"doubleValue": 0.1}},
                  {"key": "bytes", "value": {"bytesValue": "AP8Q"}},
                  {"key": "empty", "value": {}},
                  {"key": "list", "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": 1}, {"doubleValue": "Infinity"}, {}, {"arrayValue": {"values": [{"boolValue": true}]}}]}}},
                  {"key": "kv", "value": {"kvlistValue": {"values": [{"key": "k", "value": {"bytesValue": "AQI="}}, {"key": "nested", "value": {"kvlistValue": {"values": [{"key": "d", "value": {"doubleValue": 1.5}}]}}}]}}}
                ],
                "droppedAttributesCount": 5,
                "events": [{"timeUnixNano": 1700000000123456789, "name": "retry", "attributes": [{"key": "attempt", "value": {"intValue": "2"}}], "droppedAttributesCount": 6}],
                "droppedEventsCount": 7,
                "links": [{"traceId": "404142434445464748494a4b4c4d4e4f", "spanId": "505356595c5f6265", "traceState": "vendor=b", "attributes": [{"key": "link.kind", "value": {"stringValue": "follows"}}], "droppedAttributesCount": 8, "flags": 1}],
                "droppedLinksCount": 9,
                "status": {"message": "boom", "code": 2}
              }]
            }]
          }]
        }
        """;

    /// <summary>The same span as <see cref="EveryQuirk"/>, in protobuf.</summary>
    private static byte[] EveryQuirkProtobuf() => ProtoBuilder.Message(r => r.MessageField(1, rs =>
    {
        rs.MessageField(1, res => res
            .MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "checkout")))
            .MessageField(1, Otlp.Attribute("host.cores", v => v.VarintField(3, 8)))
            .VarintField(2, 3));
        rs.StringField(3, "https://opentelemetry.io/schemas/1.30.0");
        rs.MessageField(2, ss =>
        {
            ss.MessageField(1, scope => scope.StringField(1, "agent-lib").StringField(2, "2.1.0")
                .MessageField(3, Otlp.Attribute("scope.attr", v => v.VarintField(2, 1))).VarintField(4, 4));
            ss.StringField(3, "https://scope/schema");
            ss.MessageField(2, span => span
                .BytesField(1, Otlp.TraceId(0x10)).BytesField(2, Otlp.SpanId(0x20)).StringField(3, "vendor=a").BytesField(4, Otlp.SpanId(0x30))
                .Fixed32Field(16, 769).StringField(5, "tool: search").VarintField(6, 3).Fixed64Field(7, 1).Fixed64Field(8, ulong.MaxValue)
                .MessageField(9, Otlp.Attribute("a.string", v => v.StringField(1, "ü \"q\"")))
                .MessageField(9, Otlp.Attribute("int", v => v.VarintField(3, unchecked((ulong)long.MinValue))))
                .MessageField(9, Otlp.Attribute("nan", v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(double.NaN))))
                .MessageField(9, Otlp.Attribute("double", v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(0.1))))
                .MessageField(9, Otlp.Attribute("bytes", v => v.BytesField(7, [0, 255, 16])))
                .MessageField(9, Otlp.Attribute("empty", _ => { }))
                .MessageField(9, Otlp.Attribute("list", v => v.MessageField(5, a => a
                    .MessageField(1, x => x.StringField(1, "a")).MessageField(1, x => x.VarintField(3, 1))
                    .MessageField(1, x => x.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(double.PositiveInfinity)))
                    .MessageField(1, _ => { }).MessageField(1, x => x.MessageField(5, inner => inner.MessageField(1, y => y.VarintField(2, 1)))))))
                .MessageField(9, Otlp.Attribute("kv", v => v.MessageField(6, l => l
                    .MessageField(1, Otlp.Attribute("k", x => x.BytesField(7, [1, 2])))
                    .MessageField(1, Otlp.Attribute("nested", x => x.MessageField(6, inner => inner.MessageField(1, Otlp.Attribute("d", y => y.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(1.5))))))))))
                .VarintField(10, 5)
                .MessageField(11, e => e.Fixed64Field(1, 1_700_000_000_123_456_789).StringField(2, "retry").MessageField(3, Otlp.Attribute("attempt", v => v.VarintField(3, 2))).VarintField(4, 6))
                .VarintField(12, 7)
                .MessageField(13, l => l.BytesField(1, Otlp.TraceId(0x40)).BytesField(2, Otlp.SpanId(0x50)).StringField(3, "vendor=b")
                    .MessageField(4, Otlp.Attribute("link.kind", v => v.StringField(1, "follows"))).VarintField(5, 8).Fixed32Field(6, 1))
                .VarintField(14, 9)
                .MessageField(15, st => st.StringField(2, "boom").VarintField(3, 2)));
        });
    }));

    [Fact]
    public void Decode_EveryQuirk_GivesTheSameBatchAsTheProtobufEncoding()
    {
        var fromJson = new SpanBatch();
        var fromProtobuf = new SpanBatch();

        var jsonResult = DecodeJson(Encoding.UTF8.GetBytes(EveryQuirk), fromJson);
        var protobufResult = SpanBatchDecoder.Decode(EveryQuirkProtobuf(), fromProtobuf);

        Assert.Equal(new OtlpDecodeResult(1, 0, null, null), jsonResult);
        Assert.Equal(protobufResult, jsonResult);
        Assert.Equal(fromProtobuf.Spans.ToArray(), fromJson.Spans.ToArray());
        Assert.Equal(fromProtobuf.Attributes.ToArray(), fromJson.Attributes.ToArray());
        Assert.Equal(fromProtobuf.Events.ToArray(), fromJson.Events.ToArray());
        Assert.Equal(fromProtobuf.Links.ToArray(), fromJson.Links.ToArray());
        Assert.Equal(fromProtobuf.Resources.ToArray(), fromJson.Resources.ToArray());
        Assert.Equal(fromProtobuf.Scopes.ToArray(), fromJson.Scopes.ToArray());
        Assert.Equal(13, fromJson.AttributeCount);
    }

    /// <summary>Ids that are not hex of the right length reach the protobuf decoder with the wrong size (not hex: one byte).</summary>
    [Theory]
    [InlineData("""{"traceId": "0102", "spanId": "0102030405060708"}""", "span 0: trace_id must be 16 bytes, got 2")]
    [InlineData("""{"traceId": "zz02030405060708090a0b0c0d0e0f10", "spanId": "0102030405060708"}""", "span 0: trace_id must be 16 bytes, got 1")]
    [InlineData("""{"traceId": "00000000000000000000000000000000", "spanId": "0102030405060708"}""", "span 0: trace_id is all zero")]
    [InlineData("""{"traceId": "0102030405060708090a0b0c0d0e0f10"}""", "span 0: span_id is missing")]
    [InlineData("""{"traceId": "0102030405060708090a0b0c0d0e0f10", "spanId": "0102030405060708", "links": [{"traceId": "0102030405060708090a0b0c0d0e0f10", "spanId": "01"}]}""", "span 0: link span_id must be 8 bytes, got 1")]
    public void Decode_InvalidIds_RejectsThatSpanOnly(string badSpan, string reason)
    {
        var json = $$"""{"resourceSpans":[{"scopeSpans":[{"spans":[{{badSpan}}, {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718","name":"kept"}]}]}]}""";
        var batch = new SpanBatch();

        var result = DecodeJson(Encoding.UTF8.GetBytes(json), batch);

        Assert.Equal(new OtlpDecodeResult(1, 1, reason, null), result);
        Assert.Equal("kept", Assert.Single(batch.Spans.ToArray()).Name);
        Assert.Equal(0, batch.LinkCount);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"resourceSpans": {}}""")]
    [InlineData("""{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": 7}]}]}]}""")]
    [InlineData("""{"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": "-1"}]}]}]}""")]
    [InlineData("""{"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [{"key": "k", "value": {"intValue": "1.5"}}]}]}]}]}""")]
    [InlineData("""{"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [{"key": "k", "value": {"stringValue": "a", "intValue": "1"}}]}]}]}]}""")]
    [InlineData("""{"resourceSpans": [{"scopeSpans": [{"spans": [{"kind": "SPAN_KIND_SIDEWAYS"}]}]}]}""")]
    public void Decode_Malformed_IsReportedAndLeavesBatchUnchanged(string json)
    {
        var batch = new SpanBatch();
        SpanBatchDecoder.Decode(Otlp.Request("earlier", Otlp.Span(3)), batch);
        var before = batch.Mark();

        var result = DecodeJson(Encoding.UTF8.GetBytes(json), batch);

        Assert.True(result.IsMalformed);
        Assert.False(string.IsNullOrWhiteSpace(result.MalformedReason));
        Assert.Equal(before, batch.Mark());
    }

    [Fact]
    public void Decode_InvalidUtf8InsideAString_IsMalformed()
    {
        byte[] json = [.. "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\""u8.ToArray(), 0xC3, 0x28, .. "\"}]}]}]}"u8.ToArray()];

        var result = DecodeJson(json, new SpanBatch());

        Assert.Equal("the body is not valid UTF-8", result.MalformedReason);
    }

    [Property(MaxTest = 1000)]
    public bool Decode_AnyText_NeverThrowsAndAccountsForEverySpan(string? text) => Holds(Encoding.UTF8.GetBytes(text ?? string.Empty));

    [Property(MaxTest = 1000)]
    public Property Decode_MutatedFixture_NeverThrowsAndAccountsForEverySpan()
    {
        var valid = Encoding.UTF8.GetBytes(EveryQuirk);
        return Prop.ForAll(
            Gen.Choose(0, valid.Length - 1).Zip(Gen.Elements("\"{}[],:0aZ\\ -".ToCharArray())).ToArbitrary(),
            m =>
            {
                var mutated = (byte[])valid.Clone();
                mutated[m.Item1] = (byte)m.Item2;
                return Holds(mutated);
            });
    }

    private static bool Holds(byte[] input)
    {
        var batch = new SpanBatch();
        var result = DecodeJson(input, batch);
        return result.IsMalformed
            ? !string.IsNullOrEmpty(result.MalformedReason) && batch.Mark() == default
            : batch.SpanCount == result.Accepted && (result.Rejected == 0) == (result.ErrorMessage is null);
    }

    /// <summary>The one JSON route: transcoded to protobuf, then the protobuf decoder (SignalBatch.ToDecodable).</summary>
    private static OtlpDecodeResult DecodeJson(ReadOnlyMemory<byte> json, SpanBatch batch) =>
        OtlpJsonTranscoder.TranscodeTraces(json, out var error) is { } protobuf
            ? SpanBatchDecoder.Decode(protobuf, batch)
            : OtlpDecodeResult.Malformed(error!);
}
