using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Receivers;

namespace TaskLens.UnitTests.Ingest;

/// <summary>
/// The spool-off path measures its resources' service names while it decodes into rows; admission must see what the
/// validation (the spool on) sees, so both bound the same exports.
/// </summary>
public sealed class AdmittedSpanRowsTests
{
    public static TheoryData<string, byte[]> Requests() => OtlpTraceValidateTests.Requests();

    [Theory]
    [MemberData(nameof(Requests))]
    public void DecodeRows_Request_MeasuresTheServiceNamesAsValidationDoes(string label, byte[] request)
    {
        var validated = OtlpTraceDecoder.Validate(request, out var resources);
        var counted = new CountingRows();
        var rows = new AdmittedSpanRows(counted);

        var decoded = OtlpTraceDecoder.DecodeRows(request, rows);

        Assert.True(validated == decoded, label);
        if (!decoded.IsMalformed)
        {
            Assert.Equal(resources.LongestServiceNameBytes, rows.LongestServiceNameBytes);
            Assert.Equal((resources.Count, decoded.Accepted), (counted.Resources, counted.Spans));
        }
    }

    private sealed class CountingRows : ISpanRowWriter
    {
        public int Resources { get; private set; }

        public int Spans { get; private set; }

        public void Resource(Utf8SpanParts parts, in Utf8Resource resource) => Resources++;

        public void Scope(Utf8SpanParts parts, in Utf8Scope scope)
        {
        }

        public void Span(Utf8SpanParts parts, in Utf8Span span) => Spans++;
    }
}
