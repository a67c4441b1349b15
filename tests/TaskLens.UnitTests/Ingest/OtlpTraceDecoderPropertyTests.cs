using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TaskLens.Core.Telemetry;
using TaskLens.Ingest.Otlp;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.UnitTests.Ingest;

/// <summary>
/// No input makes the decoder throw; every input is either rejected whole with a reason, or every span in it is
/// counted once as accepted or rejected, and the batch grows by exactly the accepted spans.
/// </summary>
public sealed class OtlpTraceDecoderPropertyTests
{
    private static readonly byte[] Valid = Otlp.Request(
        "svc",
        Otlp.Span(1),
        s => { Otlp.Span(2)(s); s.MessageField(9, Otlp.Attribute("a", v => v.MessageField(5, a => a.MessageField(1, x => x.VarintField(3, 7))))); },
        s => s.BytesField(1, new byte[3]).BytesField(2, Otlp.SpanId(3)),
        s => { Otlp.Span(4)(s); s.MessageField(11, e => e.StringField(2, "e")).MessageField(13, l => l.BytesField(1, Otlp.TraceId(5)).BytesField(2, Otlp.SpanId(5))); });

    [Property(MaxTest = 2000)]
    public bool Decode_AnyBytes_NeverThrowsAndAccountsForEverySpan(byte[] input) => Holds(input);

    [Property(MaxTest = 2000)]
    public Property Decode_MutatedValidRequest_NeverThrowsAndAccountsForEverySpan() =>
        Prop.ForAll(
            Gen.Choose(0, Valid.Length - 1).Zip(Gen.Choose(0, 255)).Zip(Gen.Choose(0, Valid.Length)).ToArbitrary(),
            m =>
            {
                var ((position, value), cut) = m;
                var mutated = (byte[])Valid.Clone();
                mutated[position] = (byte)value;
                return Holds(mutated) && Holds(mutated.AsSpan(0, cut).ToArray());
            });

    /// <summary>Validate (ingest's check before spooling, which keeps nothing) decides exactly as Decode does.</summary>
    [Property(MaxTest = 2000)]
    public Property Validate_AgreesWithDecode_OnMutatedRequests() =>
        Prop.ForAll(
            Gen.Choose(0, Valid.Length - 1).Zip(Gen.Choose(0, 255)).ToArbitrary(),
            m =>
            {
                var mutated = (byte[])Valid.Clone();
                mutated[m.Item1] = (byte)m.Item2;
                var decoded = new SpanBatch();
                var full = SpanBatchDecoder.Decode(mutated, decoded);
                var counted = OtlpTraceDecoder.Validate(mutated, out var resources);
                return full == counted && decoded.SpanCount == counted.Accepted
                    && resources.Count == decoded.ResourceCount
                    && resources.FirstServiceName == (decoded.ResourceCount == 0 ? "unknown_service" : decoded.Resources[0].ServiceName);
            });

    [Fact]
    public void Decode_TheValidSample_AcceptsThreeRejectsOne()
    {
        var result = SpanBatchDecoder.Decode(Valid, new SpanBatch());

        Assert.Equal((3, 1, false), (result.Accepted, result.Rejected, result.IsMalformed));
    }

    private static bool Holds(byte[] input)
    {
        var batch = new SpanBatch();
        SpanBatchDecoder.Decode(Valid, batch);
        var before = batch.Mark();

        var result = SpanBatchDecoder.Decode(input, batch);

        if (result.IsMalformed)
        {
            return !string.IsNullOrEmpty(result.MalformedReason) && batch.Mark() == before && result.Accepted == 0;
        }

        return batch.SpanCount == before.Spans + result.Accepted
            && result.Accepted >= 0
            && result.Rejected >= 0
            && result.Accepted + result.Rejected == CountSpans(input)
            && (result.Rejected == 0) == (result.ErrorMessage is null);
    }

    /// <summary>
    /// Counts the Span messages in a request that the decoder found well-formed, with a walker of its own (not
    /// the decoder's reader) so the two can disagree: request.resource_spans(1).scope_spans(2).spans(2).
    /// </summary>
    private static int CountSpans(byte[] request)
    {
        var count = 0;
        foreach (var resourceSpans in Fields(request, 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                count += Fields(scopeSpans, 2).Count;
            }
        }

        return count;
    }

    /// <summary>The payloads of every length-delimited occurrence of <paramref name="field"/> (input assumed valid).</summary>
    private static List<byte[]> Fields(byte[] message, int field)
    {
        var found = new List<byte[]>();
        var at = 0;
        while (at < message.Length)
        {
            var tag = Varint(message, ref at);
            var length = (tag & 7) switch
            {
                0 => SkipVarint(message, ref at),
                1 => 8,
                2 => (int)Varint(message, ref at),
                _ => 4,
            };
            if ((int)(tag >> 3) == field && (tag & 7) == 2)
            {
                found.Add(message[at..(at + length)]);
            }

            at += length;
        }

        return found;
    }

    private static ulong Varint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    private static int SkipVarint(byte[] bytes, ref int at)
    {
        Varint(bytes, ref at);
        return 0;
    }
}
