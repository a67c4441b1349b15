using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Ingest;

public sealed class OtlpTraceDecoderTests
{
    [Fact]
    public void Decode_EverySpanField_LandsInBatchExactly()
    {
        var request = ProtoBuilder.Message(r => r.MessageField(1, rs =>
        {
            rs.MessageField(1, res => res
                .MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "checkout")))
                .MessageField(1, Otlp.Attribute("host.cores", v => v.VarintField(3, 8)))
                .VarintField(2, 3));
            rs.StringField(3, "https://opentelemetry.io/schemas/1.30.0");
            rs.MessageField(2, ss =>
            {
                ss.MessageField(1, scope => scope
                    .StringField(1, "agent-lib")
                    .StringField(2, "2.1.0")
                    .MessageField(3, Otlp.Attribute("scope.attr", v => v.VarintField(2, 1)))
                    .VarintField(4, 4));
                ss.StringField(3, "https://scope/schema");
                ss.MessageField(2, span => span
                    .BytesField(1, Otlp.TraceId(0x10))
                    .BytesField(2, Otlp.SpanId(0x20))
                    .StringField(3, "vendor=a")
                    .BytesField(4, Otlp.SpanId(0x30))
                    .Fixed32Field(16, 0x301)
                    .StringField(5, "tool: search")
                    .VarintField(6, 3)
                    .Fixed64Field(7, 1)
                    .Fixed64Field(8, ulong.MaxValue)
                    .MessageField(9, Otlp.Attribute("a.string", v => v.StringField(1, "ü \"q\"")))
                    .VarintField(10, 5)
                    .MessageField(11, e => e
                        .Fixed64Field(1, 1_700_000_000_123_456_789)
                        .StringField(2, "retry")
                        .MessageField(3, Otlp.Attribute("attempt", v => v.VarintField(3, 2)))
                        .VarintField(4, 6))
                    .VarintField(12, 7)
                    .MessageField(13, l => l
                        .BytesField(1, Otlp.TraceId(0x40))
                        .BytesField(2, Otlp.SpanId(0x50))
                        .StringField(3, "vendor=b")
                        .MessageField(4, Otlp.Attribute("link.kind", v => v.StringField(1, "follows")))
                        .VarintField(5, 8)
                        .Fixed32Field(6, 1))
                    .VarintField(14, 9)
                    .MessageField(15, st => st.StringField(2, "boom").VarintField(3, 2)));
            });
        }));

        var batch = new SpanBatch();
        var result = SpanBatchDecoder.Decode(request, batch);

        Assert.Equal(new OtlpDecodeResult(1, 0, null, null), result);
        var span = Assert.Single(batch.Spans.ToArray());
        Assert.Equal(0x1011121314151617UL, span.TraceIdHigh);
        Assert.Equal(0x18191A1B1C1D1E1FUL, span.TraceIdLow);
        Assert.Equal(0x202326292C2F3235UL, span.SpanId);
        Assert.Equal(0x303336393C3F4245UL, span.ParentSpanId);
        Assert.Equal("vendor=a", span.TraceState);
        Assert.Equal(0x301U, span.Flags);
        Assert.Equal("tool: search", span.Name);
        Assert.Equal(3, span.Kind);
        Assert.Equal(1UL, span.StartTimeUnixNano);
        Assert.Equal(ulong.MaxValue, span.EndTimeUnixNano);
        Assert.Equal([new AttributeRecord("a.string", AttributeValueType.String, "ü \"q\"")], batch.AttributesOf(span.Attributes).ToArray());
        Assert.Equal(5U, span.DroppedAttributesCount);
        Assert.Equal(7U, span.DroppedEventsCount);
        Assert.Equal(9U, span.DroppedLinksCount);
        Assert.Equal(2, span.StatusCode);
        Assert.Equal("boom", span.StatusMessage);

        var e = Assert.Single(batch.EventsOf(span).ToArray());
        Assert.Equal(1_700_000_000_123_456_789UL, e.TimeUnixNano);
        Assert.Equal("retry", e.Name);
        Assert.Equal(6U, e.DroppedAttributesCount);
        Assert.Equal([new AttributeRecord("attempt", AttributeValueType.Int, "2")], batch.AttributesOf(e.Attributes).ToArray());

        var link = Assert.Single(batch.LinksOf(span).ToArray());
        Assert.Equal(0x4041424344454647UL, link.TraceIdHigh);
        Assert.Equal(0x48494A4B4C4D4E4FUL, link.TraceIdLow);
        Assert.Equal(0x505356595C5F6265UL, link.SpanId);
        Assert.Equal("vendor=b", link.TraceState);
        Assert.Equal(1U, link.Flags);
        Assert.Equal(8U, link.DroppedAttributesCount);
        Assert.Equal([new AttributeRecord("link.kind", AttributeValueType.String, "follows")], batch.AttributesOf(link.Attributes).ToArray());

        var resource = batch.Resources[span.ResourceIndex];
        Assert.Equal("checkout", resource.ServiceName);
        Assert.Equal("https://opentelemetry.io/schemas/1.30.0", resource.SchemaUrl);
        Assert.Equal(3U, resource.DroppedAttributesCount);
        Assert.Equal(
            [new AttributeRecord("service.name", AttributeValueType.String, "checkout"), new AttributeRecord("host.cores", AttributeValueType.Int, "8")],
            batch.AttributesOf(resource.Attributes).ToArray());

        var scope = batch.Scopes[span.ScopeIndex];
        Assert.Equal(("agent-lib", "2.1.0", "https://scope/schema", 4U), (scope.Name, scope.Version, scope.SchemaUrl, scope.DroppedAttributesCount));
        Assert.Equal([new AttributeRecord("scope.attr", AttributeValueType.Bool, "true")], batch.AttributesOf(scope.Attributes).ToArray());
    }

    public static TheoryData<string, byte[], AttributeValueType, string> AnyValues() => new()
    {
        { "string", ProtoBuilder.Message(v => v.StringField(1, "x")), AttributeValueType.String, "x" },
        { "false", ProtoBuilder.Message(v => v.VarintField(2, 0)), AttributeValueType.Bool, "false" },
        { "int min", ProtoBuilder.Message(v => v.VarintField(3, unchecked((ulong)long.MinValue))), AttributeValueType.Int, "-9223372036854775808" },
        { "double", ProtoBuilder.Message(v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(0.1))), AttributeValueType.Double, "0.1" },
        { "negative zero", ProtoBuilder.Message(v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(-0.0))), AttributeValueType.Double, "-0" },
        { "nan", ProtoBuilder.Message(v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(double.NaN))), AttributeValueType.Double, "NaN" },
        { "-inf", ProtoBuilder.Message(v => v.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(double.NegativeInfinity))), AttributeValueType.Double, "-Infinity" },
        { "bytes", ProtoBuilder.Message(v => v.BytesField(7, [0, 255, 16])), AttributeValueType.Bytes, "AP8Q" },
        { "empty", [], AttributeValueType.Empty, "" },
        { "last oneof wins", ProtoBuilder.Message(v => v.StringField(1, "first").VarintField(3, 5)), AttributeValueType.Int, "5" },
        {
            "array",
            ProtoBuilder.Message(v => v.MessageField(5, a => a
                .MessageField(1, x => x.StringField(1, "a"))
                .MessageField(1, x => x.VarintField(3, 1))
                .MessageField(1, x => x.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(double.PositiveInfinity)))
                .MessageField(1, _ => { })
                .MessageField(1, x => x.MessageField(5, inner => inner.MessageField(1, y => y.VarintField(2, 1)))))),
            AttributeValueType.Array,
            """[{"stringValue":"a"},{"intValue":"1"},{"doubleValue":"Infinity"},{},{"arrayValue":{"values":[{"boolValue":true}]}}]"""
        },
        {
            "kvlist",
            ProtoBuilder.Message(v => v.MessageField(6, l => l
                .MessageField(1, Otlp.Attribute("k", x => x.BytesField(7, [1, 2])))
                .MessageField(1, Otlp.Attribute("nested", x => x.MessageField(6, inner => inner.MessageField(1, Otlp.Attribute("d", y => y.Fixed64Field(4, BitConverter.DoubleToUInt64Bits(1.5))))))))),
            AttributeValueType.KeyValueList,
            """[{"key":"k","value":{"bytesValue":"AQI="}},{"key":"nested","value":{"kvlistValue":{"values":[{"key":"d","value":{"doubleValue":1.5}}]}}}]"""
        },
    };

    [Theory]
    [MemberData(nameof(AnyValues))]
    public void Decode_AnyValueKind_GivesCanonicalText(string label, byte[] anyValue, AttributeValueType type, string text)
    {
        var request = Otlp.Request("svc", s => { Otlp.Span(1)(s); s.BytesField(9, ProtoBuilder.Message(kv => kv.StringField(1, label).BytesField(2, anyValue))); });
        var batch = new SpanBatch();

        Assert.Equal(1, SpanBatchDecoder.Decode(request, batch).Accepted);
        Assert.Equal(new AttributeRecord(label, type, text), Assert.Single(batch.AttributesOf(batch.Spans[0].Attributes).ToArray()));
    }

    [Fact]
    public void Decode_ResourceAfterScopeSpans_SpansPointAtThatResource()
    {
        var request = ProtoBuilder.Message(r => r.MessageField(1, rs => rs
            .MessageField(2, ss => ss.MessageField(2, Otlp.Span(1)).MessageField(2, Otlp.Span(2)))
            .MessageField(1, res => res.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "late"))))));
        var batch = new SpanBatch();

        Assert.Equal(2, SpanBatchDecoder.Decode(request, batch).Accepted);
        Assert.All(batch.Spans.ToArray(), s => Assert.Equal("late", batch.Resources[s.ResourceIndex].ServiceName));
    }

    [Fact]
    public void Decode_AttributesInterleavedWithEvents_EachOwnerKeepsItsOwn()
    {
        var request = Otlp.Request("svc", s => s
            .BytesField(1, Otlp.TraceId(1))
            .MessageField(9, Otlp.Attribute("span.a", v => v.StringField(1, "1")))
            .MessageField(11, e => e.StringField(2, "ev").MessageField(3, Otlp.Attribute("event.a", v => v.StringField(1, "2"))))
            .MessageField(9, Otlp.Attribute("span.b", v => v.StringField(1, "3")))
            .BytesField(2, Otlp.SpanId(2)));
        var batch = new SpanBatch();

        Assert.Equal(1, SpanBatchDecoder.Decode(request, batch).Accepted);
        var span = batch.Spans[0];
        Assert.Equal(["span.a", "span.b"], batch.AttributesOf(span.Attributes).ToArray().Select(a => a.Key));
        Assert.Equal(["event.a"], batch.AttributesOf(batch.EventsOf(span)[0].Attributes).ToArray().Select(a => a.Key));
    }

    [Fact]
    public void Decode_LinksAndEventsInterleaved_EachOwnerKeepsItsOwn()
    {
        var request = Otlp.Request("svc", s => s
            .BytesField(1, Otlp.TraceId(1))
            .MessageField(13, l => l.BytesField(1, Otlp.TraceId(7)).BytesField(2, Otlp.SpanId(8)).MessageField(4, Otlp.Attribute("link.a", v => v.StringField(1, "1"))))
            .MessageField(11, e => e.StringField(2, "first").MessageField(3, Otlp.Attribute("event.a", v => v.StringField(1, "2"))))
            .MessageField(9, Otlp.Attribute("span.a", v => v.StringField(1, "3")))
            .MessageField(13, l => l.BytesField(1, Otlp.TraceId(9)).BytesField(2, Otlp.SpanId(10)))
            .MessageField(11, e => e.StringField(2, "second").MessageField(3, Otlp.Attribute("event.b", v => v.StringField(1, "4"))))
            .BytesField(2, Otlp.SpanId(2)));
        var batch = new SpanBatch();

        Assert.Equal(1, SpanBatchDecoder.Decode(request, batch).Accepted);
        var span = batch.Spans[0];
        Assert.Equal(["span.a"], batch.AttributesOf(span.Attributes).ToArray().Select(a => a.Key));
        Assert.Equal(["first", "second"], batch.EventsOf(span).ToArray().Select(e => e.Name));
        Assert.Equal(["event.a"], batch.AttributesOf(batch.EventsOf(span)[0].Attributes).ToArray().Select(a => a.Key));
        Assert.Equal(["event.b"], batch.AttributesOf(batch.EventsOf(span)[1].Attributes).ToArray().Select(a => a.Key));
        Assert.Equal([System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(Otlp.SpanId(8)), System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(Otlp.SpanId(10))], batch.LinksOf(span).ToArray().Select(l => l.SpanId));
        Assert.Equal(["link.a"], batch.AttributesOf(batch.LinksOf(span)[0].Attributes).ToArray().Select(a => a.Key));
        Assert.Empty(batch.AttributesOf(batch.LinksOf(span)[1].Attributes).ToArray());
    }

    [Fact]
    public void Validate_SpanWithAttributesEventsAndLinks_CountsItAndNamesTheService()
    {
        var request = Otlp.Request("svc", s => s
            .BytesField(1, Otlp.TraceId(1))
            .MessageField(9, Otlp.Attribute("span.a", v => v.StringField(1, "3")))
            .MessageField(11, e => e.StringField(2, "ev").MessageField(3, Otlp.Attribute("event.a", v => v.StringField(1, "2"))))
            .MessageField(13, l => l.BytesField(1, Otlp.TraceId(7)).BytesField(2, Otlp.SpanId(8)))
            .BytesField(2, Otlp.SpanId(2)));

        var result = OtlpTraceDecoder.Validate(request, out var resources);

        Assert.Equal((1, 0, false), (result.Accepted, result.Rejected, result.IsMalformed));
        Assert.Equal(new ValidatedResources(1, "svc", 3), resources);
    }

    [Fact]
    public void Decode_UnknownFieldsOfEveryWireType_AreSkipped()
    {
        var request = ProtoBuilder.Message(r => r
            .VarintField(99, 1)
            .MessageField(1, rs => rs
                .Fixed32Field(50, 7)
                .MessageField(2, ss => ss
                    .Fixed64Field(60, 9)
                    .MessageField(2, s => { Otlp.Span(1)(s); s.StringField(200, "future field").VarintField(201, 3).Fixed32Field(202, 1).Fixed64Field(203, 2); }))));
        var batch = new SpanBatch();

        Assert.Equal(new OtlpDecodeResult(1, 0, null, null), SpanBatchDecoder.Decode(request, batch));
        Assert.Equal("op", batch.Spans[0].Name);
    }

    public static TheoryData<string, Action<ProtoBuilder>, string> InvalidSpans() => new()
    {
        { "short trace id", s => s.BytesField(1, new byte[15]).BytesField(2, Otlp.SpanId(1)), "trace_id must be 16 bytes, got 15" },
        { "zero trace id", s => s.BytesField(1, new byte[16]).BytesField(2, Otlp.SpanId(1)), "trace_id is all zero" },
        { "missing trace id", s => s.BytesField(2, Otlp.SpanId(1)), "trace_id is missing" },
        { "missing span id", s => s.BytesField(1, Otlp.TraceId(1)), "span_id is missing" },
        { "long span id", s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, new byte[9]), "span_id must be 8 bytes, got 9" },
        { "valid then invalid trace id", s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, Otlp.SpanId(1)).BytesField(1, new byte[16]), "trace_id is all zero" },
        { "link zero trace id", s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, Otlp.SpanId(1)).MessageField(13, l => l.BytesField(1, new byte[16]).BytesField(2, Otlp.SpanId(2))), "link trace_id is all zero" },
        { "link without span id", s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, Otlp.SpanId(1)).MessageField(13, l => l.BytesField(1, Otlp.TraceId(2))), "link span_id is missing" },
        {
            "second link bad",
            s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, Otlp.SpanId(1))
                .MessageField(13, l => l.BytesField(1, Otlp.TraceId(2)).BytesField(2, Otlp.SpanId(2)))
                .MessageField(13, l => l.BytesField(1, new byte[17]).BytesField(2, Otlp.SpanId(3))),
            "link trace_id must be 16 bytes, got 17"
        },
        { "zero span id", s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, new byte[8]), "span_id is all zero" },
        { "7-byte parent", s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, Otlp.SpanId(1)).BytesField(4, new byte[7]), "parent_span_id must be 8 bytes, got 7" },
        { "bad link", s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, Otlp.SpanId(1)).MessageField(13, l => l.BytesField(1, Otlp.TraceId(2)).BytesField(2, new byte[3])), "link span_id must be 8 bytes, got 3" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpans))]
    public void Decode_SpanWithInvalidIds_IsRejectedWithReasonAndOthersKept(string label, Action<ProtoBuilder> invalid, string reason)
    {
        var request = Otlp.Request("svc", Otlp.Span(1, "before"), s => { invalid(s); s.MessageField(9, Otlp.Attribute("x", v => v.StringField(1, label))); }, Otlp.Span(2, "after"));
        var batch = new SpanBatch();

        var result = SpanBatchDecoder.Decode(request, batch);

        Assert.Equal(new OtlpDecodeResult(2, 1, "span 1: " + reason, null), result);
        Assert.Equal(["before", "after"], batch.Spans.ToArray().Select(s => s.Name));
        Assert.DoesNotContain(batch.Attributes.ToArray(), a => a.Key == "x");
        Assert.Equal(0, batch.LinkCount);
    }

    [Fact]
    public void Decode_IdRepeatedInvalidThenValid_LastOccurrenceWins()
    {
        // A repeated singular field takes its last value in every protobuf parser, and so does its validity.
        var request = Otlp.Request("svc", s => s
            .BytesField(1, new byte[3]).BytesField(1, Otlp.TraceId(7))
            .BytesField(2, new byte[8]).BytesField(2, Otlp.SpanId(7))
            .BytesField(4, new byte[5]).BytesField(4, []));
        var batch = new SpanBatch();

        Assert.Equal(new OtlpDecodeResult(1, 0, null, null), SpanBatchDecoder.Decode(request, batch));
        Assert.Equal((0x0708090A0B0C0D0EUL, 0UL), (batch.Spans[0].TraceIdHigh, batch.Spans[0].ParentSpanId));
    }

    [Fact]
    public void Decode_AllZeroParent_IsARootSpan()
    {
        var request = Otlp.Request("svc", s => { Otlp.Span(1)(s); s.BytesField(4, new byte[8]); });
        var batch = new SpanBatch();

        Assert.Equal(1, SpanBatchDecoder.Decode(request, batch).Accepted);
        Assert.Equal(0UL, batch.Spans[0].ParentSpanId);
    }

    [Fact]
    public void Decode_ResourceAndScopeRepeated_MergeAsProtobufDoes()
    {
        var request = ProtoBuilder.Message(r => r.MessageField(1, rs => rs
            .MessageField(1, res => res.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "first"))).VarintField(2, 1))
            .MessageField(2, ss => ss
                .MessageField(1, scope => scope.StringField(1, "lib").StringField(2, "1"))
                .MessageField(2, Otlp.Span(1))
                .MessageField(1, scope => scope.StringField(2, "2").MessageField(3, Otlp.Attribute("s", v => v.StringField(1, "x")))))
            .MessageField(1, res => res.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "second"))))));
        var batch = new SpanBatch();

        Assert.Equal(1, SpanBatchDecoder.Decode(request, batch).Accepted);
        var resource = Assert.Single(batch.Resources.ToArray());
        Assert.Equal(("second", 1U), (resource.ServiceName, resource.DroppedAttributesCount));
        Assert.Equal(["first", "second"], batch.AttributesOf(resource.Attributes).ToArray().Select(a => a.Value));
        var scope = Assert.Single(batch.Scopes.ToArray());
        Assert.Equal(("lib", "2"), (scope.Name, scope.Version));
        Assert.Equal("s", Assert.Single(batch.AttributesOf(scope.Attributes).ToArray()).Key);
    }

    [Theory]
    [InlineData("no resource", false, null)]
    [InlineData("no service.name", true, null)]
    [InlineData("service.name not a string", true, 3)]
    public void Decode_NoStringServiceName_IsUnknownService(string label, bool withResource, int? serviceNameField)
    {
        var request = ProtoBuilder.Message(r => r.MessageField(1, rs =>
        {
            if (withResource)
            {
                rs.MessageField(1, res => res.MessageField(1, serviceNameField is null
                    ? Otlp.Attribute("host.name", v => v.StringField(1, "h"))
                    : Otlp.Attribute("service.name", v => v.VarintField(serviceNameField.Value, 1))));
            }

            rs.MessageField(2, ss => ss.MessageField(2, Otlp.Span(1)));
        }));
        var batch = new SpanBatch();

        Assert.Equal(1, SpanBatchDecoder.Decode(request, batch).Accepted);
        Assert.True(batch.Resources[0].ServiceName == "unknown_service", label);
    }

    [Fact]
    public void Decode_SeveralResourceSpans_SpansPointAtTheirOwnAndRejectionCountsAcrossThem()
    {
        var request = ProtoBuilder.Message(r => r
            .Raw(Otlp.Request("a", Otlp.Span(1), Otlp.Span(2)))
            .Raw(Otlp.Request("b", s => s.BytesField(2, Otlp.SpanId(3)), Otlp.Span(4))));
        var batch = new SpanBatch();

        var result = SpanBatchDecoder.Decode(request, batch);

        Assert.Equal(new OtlpDecodeResult(3, 1, "span 2: trace_id is missing", null), result);
        Assert.Equal(["a", "a", "b"], batch.Spans.ToArray().Select(s => batch.Resources[s.ResourceIndex].ServiceName));
        Assert.Equal([0, 0, 1], batch.Spans.ToArray().Select(s => s.ScopeIndex));
    }

    [Fact]
    public void Decode_EmptyRequest_AcceptsNothing()
    {
        var batch = new SpanBatch();

        Assert.Equal(new OtlpDecodeResult(0, 0, null, null), SpanBatchDecoder.Decode([], batch));
        Assert.Equal(default, batch.Mark());
    }

    [Fact]
    public void Decode_UnknownFieldsInEveryNestedMessage_AreSkipped()
    {
        static void Unknown(ProtoBuilder b) => b.VarintField(90, 1).Fixed64Field(91, 2).BytesField(92, [1, 2]).Fixed32Field(93, 3);

        var request = ProtoBuilder.Message(r => r.MessageField(1, rs => rs
            .MessageField(1, res => { Unknown(res); res.MessageField(1, kv => { Unknown(kv); kv.StringField(1, "service.name").MessageField(2, v => { Unknown(v); v.StringField(1, "svc"); }); }); })
            .MessageField(2, ss => ss
                .MessageField(1, scope => { Unknown(scope); scope.StringField(1, "lib"); })
                .MessageField(2, s =>
                {
                    Otlp.Span(1)(s);
                    s.MessageField(9, Otlp.Attribute("arr", v => v.MessageField(5, a => { Unknown(a); a.MessageField(1, x => { Unknown(x); x.VarintField(3, 4); }); })));
                    s.MessageField(9, Otlp.Attribute("kvl", v => v.MessageField(6, l => { Unknown(l); l.MessageField(1, Otlp.Attribute("k", x => x.VarintField(2, 1))); })));
                    s.MessageField(11, e => { Unknown(e); e.StringField(2, "ev"); });
                    s.MessageField(13, l => { Unknown(l); l.BytesField(1, Otlp.TraceId(2)).BytesField(2, Otlp.SpanId(2)); });
                    s.MessageField(15, st => { Unknown(st); st.VarintField(3, 1); });
                }))));
        var batch = new SpanBatch();

        Assert.Equal(new OtlpDecodeResult(1, 0, null, null), SpanBatchDecoder.Decode(request, batch));
        var span = batch.Spans[0];
        Assert.Equal(("svc", "lib", 1), (batch.Resources[0].ServiceName, batch.Scopes[0].Name, span.StatusCode));
        Assert.Equal(
            [new AttributeRecord("arr", AttributeValueType.Array, """[{"intValue":"4"}]"""), new AttributeRecord("kvl", AttributeValueType.KeyValueList, """[{"key":"k","value":{"boolValue":true}}]""")],
            batch.AttributesOf(span.Attributes).ToArray());
        Assert.Equal("ev", batch.EventsOf(span)[0].Name);
        Assert.Equal(1, span.LinkCount);
    }
}
