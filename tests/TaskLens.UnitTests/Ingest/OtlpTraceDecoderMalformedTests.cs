using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Ingest;

/// <summary>The trace decoder on malformed bytes, nesting at and past the limit, and invalid UTF-8.</summary>
public sealed class OtlpTraceDecoderMalformedTests
{
    [Fact]
    public void Decode_EventAttributeNestedTooDeep_ReasonSaysSo()
    {
        Action<ProtoBuilder> value = v => v.StringField(1, "leaf");
        for (var i = 0; i < AnyValueText.MaxDepth + 1; i++)
        {
            var inner = value;
            value = v => v.MessageField(6, l => l.MessageField(1, Otlp.Attribute("k", inner)));
        }

        var batch = new SpanBatch();
        var result = SpanBatchDecoder.Decode(Otlp.Request("svc", s => { Otlp.Span(1)(s); s.MessageField(11, e => e.MessageField(3, Otlp.Attribute("deep", value))); }), batch);

        Assert.True(result.IsMalformed);
        Assert.Contains("events.attributes: AnyValue nested deeper", result.MalformedReason, StringComparison.Ordinal);
        Assert.Equal(default, batch.Mark());
    }

    [Fact]
    public void Decode_NestingAtTheLimit_IsAccepted()
    {
        Action<ProtoBuilder> value = v => v.StringField(1, "leaf");
        for (var i = 0; i < AnyValueText.MaxDepth; i++)
        {
            var inner = value;
            value = v => v.MessageField(5, a => a.MessageField(1, inner));
        }

        var batch = new SpanBatch();

        Assert.Equal(1, SpanBatchDecoder.Decode(Otlp.Request("svc", s => { Otlp.Span(1)(s); s.MessageField(9, Otlp.Attribute("deep", value)); }), batch).Accepted);
        var attribute = batch.Attributes[^1];
        Assert.Equal(AttributeValueType.Array, attribute.Type);
        Assert.Equal(AnyValueText.MaxDepth - 1, attribute.Value.Split("arrayValue").Length - 1);
        Assert.Contains("""{"stringValue":"leaf"}]}}]""", attribute.Value, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[]> MalformedRequests() => new()
    {
        { "truncated varint", [0x08, 0x80] },
        { "length past end", [0x0A, 0x05, 0x01] },
        { "group wire type", [0x0B, 0x0C] },
        { "eleven-byte varint", [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01] },
        { "field number zero", [0x00, 0x01] },
        { "resource_spans as varint", [0x08, 0x01] },
        { "span start time as varint", Otlp.Request("svc", s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, Otlp.SpanId(1)).VarintField(7, 5)) },
        { "truncated inside a span", Otlp.Request("svc", s => s.Tag(5, 2).Varint(10).Raw(1, 2)) },
        { "group inside a span", Otlp.Request("svc", s => { Otlp.Span(1)(s); s.Tag(40, 3).Tag(40, 4); }) },
        { "wire type 7 inside an event", Otlp.Request("svc", s => { Otlp.Span(1)(s); s.MessageField(11, e => e.Raw(0x0F)); }) },
        { "truncated fixed64 time", Otlp.Request("svc", s => { Otlp.Span(1)(s); s.Tag(7, 1).Raw(1, 2, 3); }) },
        { "attribute value as varint", Otlp.Request("svc", s => { Otlp.Span(1)(s); s.MessageField(9, kv => kv.StringField(1, "k").VarintField(2, 1)); }) },
        { "double as varint", Otlp.Request("svc", s => { Otlp.Span(1)(s); s.MessageField(9, Otlp.Attribute("k", v => v.VarintField(4, 1))); }) },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public void Decode_MalformedRequest_IsReportedAndLeavesBatchUnchanged(string label, byte[] request)
    {
        var batch = new SpanBatch();
        SpanBatchDecoder.Decode(Otlp.Request("earlier", Otlp.Span(9)), batch);
        var before = batch.Mark();

        var result = SpanBatchDecoder.Decode(request, batch);

        Assert.True(result.IsMalformed, label);
        Assert.False(string.IsNullOrWhiteSpace(result.MalformedReason));
        Assert.Equal(before, batch.Mark());
    }

    [Fact]
    public void Decode_MalformedSecondResourceSpans_DiscardsTheFirstToo()
    {
        var good = Otlp.Request("svc", Otlp.Span(1));
        var batch = new SpanBatch();

        var result = SpanBatchDecoder.Decode([.. good, 0x0A, 0x05, 0x01], batch);

        Assert.True(result.IsMalformed);
        Assert.Equal(default, batch.Mark());
    }

    [Fact]
    public void Decode_NestingDeeperThanLimit_IsMalformed()
    {
        Action<ProtoBuilder> value = v => v.StringField(1, "leaf");
        for (var i = 0; i < AnyValueText.MaxDepth + 1; i++)
        {
            var inner = value;
            value = v => v.MessageField(5, a => a.MessageField(1, inner));
        }

        var result = SpanBatchDecoder.Decode(Otlp.Request("svc", s => { Otlp.Span(1)(s); s.MessageField(9, Otlp.Attribute("deep", value)); }), new SpanBatch());

        Assert.True(result.IsMalformed);
        Assert.Contains("nested deeper", result.MalformedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_InvalidUtf8_BecomesReplacementCharacter()
    {
        var request = Otlp.Request("svc", s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, Otlp.SpanId(1)).BytesField(5, [0x61, 0xFF, 0x62]));
        var batch = new SpanBatch();

        Assert.Equal(1, SpanBatchDecoder.Decode(request, batch).Accepted);
        Assert.Equal("a\uFFFDb", batch.Spans[0].Name);
    }
}
