using System.Text;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Ingest;

/// <summary>
/// Ingest's validation (<see cref="OtlpTraceDecoder.Validate"/>, which keeps no record) against the full decode, on the
/// inputs where a sink of its own could differ: invalid UTF-8, values past the nesting limit, bad ids, partial success,
/// and the service names admission and the spool read from it.
/// </summary>
public sealed class OtlpTraceValidateTests
{
    public static TheoryData<string, byte[]> Requests()
    {
        Action<ProtoBuilder> deep = v => v.StringField(1, "leaf");
        for (var i = 0; i < AnyValueText.MaxDepth + 1; i++)
        {
            var inner = deep;
            deep = v => v.MessageField(5, a => a.MessageField(1, inner));
        }

        Action<ProtoBuilder> atLimit = v => v.StringField(1, "leaf");
        for (var i = 0; i < AnyValueText.MaxDepth; i++)
        {
            var inner = atLimit;
            atLimit = v => v.MessageField(6, l => l.MessageField(1, Otlp.Attribute("k", inner)));
        }

        return new()
        {
            { "valid", Otlp.Request("svc", Otlp.Span(1), Otlp.Span(2)) },
            { "invalid UTF-8 in the service name", Resource(r => r.MessageField(1, Otlp.Attribute("service.name", v => v.BytesField(1, [0x61, 0xFF, 0x62])))) },
            { "invalid UTF-8 in a span name and attribute", Otlp.Request("svc", s => { Otlp.Span(1)(s); s.BytesField(5, [0xC3]).MessageField(9, Otlp.Attribute("k", v => v.BytesField(1, [0xFE, 0x41]))); }) },
            { "span attribute nested too deep", Otlp.Request("svc", s => { Otlp.Span(1)(s); s.MessageField(9, Otlp.Attribute("deep", deep)); }) },
            { "event attribute nested too deep", Otlp.Request("svc", s => { Otlp.Span(1)(s); s.MessageField(11, e => e.MessageField(3, Otlp.Attribute("deep", deep))); }) },
            { "link attribute nested too deep", Otlp.Request("svc", s => { Otlp.Span(1)(s); s.MessageField(13, l => l.BytesField(1, Otlp.TraceId(2)).BytesField(2, Otlp.SpanId(2)).MessageField(4, Otlp.Attribute("deep", deep))); }) },
            { "resource attribute nested too deep", Resource(r => r.MessageField(1, Otlp.Attribute("deep", deep))) },
            { "scope attribute nested too deep", ProtoBuilder.Message(m => m.MessageField(1, rs => rs.MessageField(2, ss => ss.MessageField(1, sc => sc.MessageField(3, Otlp.Attribute("deep", deep))).MessageField(2, Otlp.Span(1))))) },
            { "key-value list at the nesting limit", Otlp.Request("svc", s => { Otlp.Span(1)(s); s.MessageField(9, Otlp.Attribute("deep", atLimit)); }) },
            { "attribute value of the wrong wire type", Otlp.Request("svc", s => { Otlp.Span(1)(s); s.MessageField(9, kv => kv.StringField(1, "k").VarintField(2, 1)); }) },
            { "bad ids: partial success", Otlp.Request("svc", Otlp.Span(1), s => s.BytesField(1, new byte[15]).BytesField(2, Otlp.SpanId(2)), s => s.BytesField(1, Otlp.TraceId(1)).BytesField(2, new byte[8]), Otlp.Span(4)) },
            { "bad parent and link ids", Otlp.Request("svc", s => { Otlp.Span(1)(s); s.BytesField(4, new byte[3]); }, s => { Otlp.Span(2)(s); s.MessageField(13, l => l.BytesField(1, Otlp.TraceId(2))); }) },
            { "every span rejected", Otlp.Request("svc", s => s.BytesField(2, Otlp.SpanId(1))) },
            { "truncated after a good resource", [.. Otlp.Request("svc", Otlp.Span(1)), 0x0A, 0x05, 0x01] },
            { "no resource_spans", [] },
            { "resource without a service name", Resource(r => r.MessageField(1, Otlp.Attribute("host.name", v => v.StringField(1, "h")))) },
            { "service name not a string", Resource(r => r.MessageField(1, Otlp.Attribute("service.name", v => v.VarintField(3, 7)))) },
            { "service name twice, the last wins", Resource(r => r.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "first"))).MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "second")))) },
            { "several resources, the longest later", [.. Otlp.Request("a", Otlp.Span(1)), .. Otlp.Request("bbbbbbbbbbbb", Otlp.Span(2)), .. Otlp.Request("ü", Otlp.Span(3))] },
            { "resource after its scope spans", ProtoBuilder.Message(m => m.MessageField(1, rs => rs.MessageField(2, ss => ss.MessageField(2, Otlp.Span(1))).MessageField(1, r => r.MessageField(1, Otlp.Attribute("service.name", v => v.StringField(1, "late")))))) },
        };
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void Validate_Request_AgreesWithDecode(string label, byte[] request)
    {
        var batch = new SpanBatch();
        var decoded = SpanBatchDecoder.Decode(request, batch);

        var validated = OtlpTraceDecoder.Validate(request, out var resources);

        Assert.True(decoded == validated, label);
        Assert.Equal(batch.SpanCount, validated.Accepted);
        Assert.Equal(ResourcesOf(batch), resources);
    }

    [Fact]
    public void Validate_InvalidUtf8ServiceName_MeasuresItAsDecoded()
    {
        var request = Resource(r => r.MessageField(1, Otlp.Attribute("service.name", v => v.BytesField(1, [0x61, 0xFF, 0x62]))));

        OtlpTraceDecoder.Validate(request, out var resources);

        Assert.Equal(new ValidatedResources(1, "a\uFFFDb", 5), resources);
    }

    [Fact]
    public void Validate_BadIds_ReportsPartialSuccessWithTheFirstReason()
    {
        var request = Otlp.Request("svc", Otlp.Span(1), s => s.BytesField(1, new byte[15]).BytesField(2, Otlp.SpanId(2)), Otlp.Span(3));

        var result = OtlpTraceDecoder.Validate(request, out var resources);

        Assert.Equal(new OtlpDecodeResult(2, 1, "span 1: trace_id must be 16 bytes, got 15", null), result);
        Assert.Equal(new ValidatedResources(1, "svc", 3), resources);
    }

    [Fact]
    public void Validate_Malformed_ReportsNoResources()
    {
        var result = OtlpTraceDecoder.Validate([.. Otlp.Request("svc", Otlp.Span(1)), 0x0A, 0x05, 0x01], out var resources);

        Assert.True(result.IsMalformed);
        Assert.Equal(ValidatedResources.None, resources);
    }

    [Fact]
    public void Validate_ManyExportsOnOneThread_AllocatesNothingPerSpan()
    {
        var request = Otlp.Request("svc", [.. Enumerable.Range(1, 200).Select(i => (Action<ProtoBuilder>)(s => { Otlp.Span((byte)i)(s); s.MessageField(9, Otlp.Attribute("k", v => v.StringField(1, "value-" + i))).MessageField(11, e => e.StringField(2, "ev")); }))]);
        OtlpTraceDecoder.Validate(request, out _);

        var accepted = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            accepted += OtlpTraceDecoder.Validate(request, out _).Accepted;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // 2,000 spans with an attribute and an event each: a record, a string or a batch array per span would be
        // tens of kilobytes.
        Assert.Equal(2_000, accepted);
        Assert.True(allocated < 2_000, $"{allocated} bytes");
    }

    private static ValidatedResources ResourcesOf(SpanBatch batch) => batch.ResourceCount == 0
        ? ValidatedResources.None
        : new ValidatedResources(
            batch.ResourceCount,
            batch.Resources[0].ServiceName,
            batch.Resources.ToArray().Max(r => Encoding.UTF8.GetByteCount(r.ServiceName)));

    private static byte[] Resource(Action<ProtoBuilder> resource) =>
        ProtoBuilder.Message(m => m.MessageField(1, rs => rs.MessageField(1, resource).MessageField(2, ss => ss.MessageField(2, Otlp.Span(1)))));
}
