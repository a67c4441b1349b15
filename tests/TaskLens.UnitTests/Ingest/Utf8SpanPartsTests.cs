using System.Text;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Ingest;

/// <summary>
/// <see cref="Utf8SpanParts"/> keeps valid text of its source (the export being decoded) as ranges of it, so the drainer
/// copies each slice once; everything else is copied in, invalid UTF-8 replaced.
/// </summary>
public sealed class Utf8SpanPartsTests
{
    [Fact]
    public void AddText_ValidSliceOfTheSource_KeptAsARangeOfIt()
    {
        var source = Encoding.UTF8.GetBytes("..service.name..");
        var parts = new Utf8SpanParts();
        parts.UseSource(new ReadOnlyMemory<byte>(source, 1, 14));

        var range = parts.AddText(source.AsSpan(2, 12));

        Assert.True(range.Start < 0);
        Assert.Equal(0, parts.TextLength);
        Assert.Equal("service.name", Encoding.UTF8.GetString(parts.Text(range)));
    }

    [Fact]
    public void AddText_OutsideTheSourcesWindowOrInvalid_Copied()
    {
        byte[] source = [.. "abcdef"u8, 0xFF];
        var parts = new Utf8SpanParts();
        parts.UseSource(new ReadOnlyMemory<byte>(source, 0, 4));

        var straddling = parts.AddText(source.AsSpan(2, 3));
        parts.UseSource(source);
        var invalid = parts.AddText(source.AsSpan(5, 2));
        var elsewhere = parts.AddText("xyz"u8.ToArray());

        Assert.All([straddling, invalid, elsewhere], r => Assert.True(r.Start >= 0));
        Assert.Equal("cde", Encoding.UTF8.GetString(parts.Text(straddling)));
        Assert.Equal("f\uFFFD", Encoding.UTF8.GetString(parts.Text(invalid)));
        Assert.Equal("xyz", Encoding.UTF8.GetString(parts.Text(elsewhere)));
    }

    [Fact]
    public void Text_SourceRangeAfterReleaseSource_Throws()
    {
        var source = "name"u8.ToArray();
        var parts = new Utf8SpanParts();
        parts.UseSource(source);
        var range = parts.AddText(source);

        parts.ReleaseSource();

        Assert.Throws<InvalidOperationException>(() => parts.Text(range).Length);
    }

    [Fact]
    public void DecodeRows_PartsReadAfterTheCall_Throw()
    {
        var keeper = new PartsKeeper();

        var result = OtlpTraceDecoder.DecodeRows(Otlp.Request("svc", Otlp.Span(1)), keeper);

        Assert.Equal(1, result.Accepted);
        Assert.Equal("svc", keeper.ServiceDuringCall);
        Assert.Throws<InvalidOperationException>(() => keeper.Parts!.Text(keeper.Service).Length);
    }

    private sealed class PartsKeeper : ISpanRowWriter
    {
        public Utf8SpanParts? Parts { get; private set; }

        public Utf8Range Service { get; private set; }

        public string? ServiceDuringCall { get; private set; }

        public void Resource(Utf8SpanParts parts, in Utf8Resource resource)
        {
            (Parts, Service) = (parts, resource.ServiceName);
            ServiceDuringCall = Encoding.UTF8.GetString(parts.Text(resource.ServiceName));
        }

        public void Scope(Utf8SpanParts parts, in Utf8Scope scope)
        {
        }

        public void Span(Utf8SpanParts parts, in Utf8Span span)
        {
        }
    }
}
