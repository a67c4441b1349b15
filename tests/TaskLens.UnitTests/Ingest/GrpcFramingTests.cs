using System.Buffers;
using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TaskLens.Ingest.Otlp;

namespace TaskLens.UnitTests.Ingest;

public sealed class GrpcFramingTests
{
    [Fact]
    public void TryReadMessage_PrefixAndPayloadSplitAcrossSegments_ReadsWholeMessage()
    {
        var frame = Frame(0, [1, 2, 3, 4, 5, 6]);
        var buffer = Segments(frame[..2], frame[2..4], frame[4..7], frame[7..]);

        var status = GrpcFraming.TryReadMessage(ref buffer, 100, out var message, out var compressed);

        Assert.Equal(GrpcFrameStatus.Complete, status);
        Assert.False(compressed);
        Assert.Equal([1, 2, 3, 4, 5, 6], message.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(10)]
    public void TryReadMessage_BufferEndsEarly_IsIncompleteAndConsumesNothing(int available)
    {
        var frame = Frame(0, new byte[8]);
        var buffer = new ReadOnlySequence<byte>(frame[..available]);

        Assert.Equal(GrpcFrameStatus.Incomplete, GrpcFraming.TryReadMessage(ref buffer, 100, out _, out _));
        Assert.Equal(available, buffer.Length);
    }

    [Fact]
    public void TryReadMessage_TwoMessages_ReadsThemInTurn()
    {
        var buffer = new ReadOnlySequence<byte>([.. Frame(0, [7]), .. Frame(1, [8, 9])]);

        Assert.Equal(GrpcFrameStatus.Complete, GrpcFraming.TryReadMessage(ref buffer, 100, out var first, out var firstCompressed));
        Assert.Equal(GrpcFrameStatus.Complete, GrpcFraming.TryReadMessage(ref buffer, 100, out var second, out var secondCompressed));

        Assert.Equal([7], first.ToArray());
        Assert.False(firstCompressed);
        Assert.Equal([8, 9], second.ToArray());
        Assert.True(secondCompressed);
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [InlineData(100, GrpcFrameStatus.Complete)]
    [InlineData(101, GrpcFrameStatus.TooLarge)]
    public void TryReadMessage_AtAndPastMaximum_AcceptsThenRefuses(int length, GrpcFrameStatus expected)
    {
        var buffer = new ReadOnlySequence<byte>(Frame(0, new byte[length]));

        Assert.Equal(expected, GrpcFraming.TryReadMessage(ref buffer, 100, out _, out _));
    }

    [Fact]
    public void TryReadMessage_HugeAnnouncedLength_IsTooLargeBeforeAnyPayloadArrives()
    {
        byte[] prefix = [0, 0xFF, 0xFF, 0xFF, 0xFF];
        var buffer = new ReadOnlySequence<byte>(prefix);

        Assert.Equal(GrpcFrameStatus.TooLarge, GrpcFraming.TryReadMessage(ref buffer, 64 * 1024 * 1024, out _, out _));
    }

    [Fact]
    public void TryReadMessage_CompressedFlagTwo_IsInvalid()
    {
        var buffer = new ReadOnlySequence<byte>(Frame(2, [1]));

        Assert.Equal(GrpcFrameStatus.InvalidFlag, GrpcFraming.TryReadMessage(ref buffer, 100, out _, out _));
    }

    [Fact]
    public void TryReadMessage_EmptyMessage_IsComplete()
    {
        var buffer = new ReadOnlySequence<byte>(Frame(0, []));

        Assert.Equal(GrpcFrameStatus.Complete, GrpcFraming.TryReadMessage(ref buffer, 100, out var message, out _));
        Assert.True(message.IsEmpty);
    }

    [Fact]
    public void TryReadMessage_CompressedFlagWithGzipPayload_InflatesToOriginal()
    {
        byte[] original = [.. Enumerable.Range(0, 500).Select(i => (byte)i)];
        var buffer = new ReadOnlySequence<byte>(Frame(1, GzipTests.Compress(original)));

        Assert.Equal(GrpcFrameStatus.Complete, GrpcFraming.TryReadMessage(ref buffer, 1000, out var message, out var compressed));
        Assert.True(compressed);
        Assert.Equal(GzipStatus.Ok, Gzip.TryDecompress(message.ToArray(), 1000, out var output, out var length));
        Assert.Equal(original, output.AsSpan(0, length).ToArray());
        ArrayPool<byte>.Shared.Return(output);
    }

    [Theory]
    [InlineData(1, GrpcFrameStatus.Complete)]
    [InlineData(2, GrpcFrameStatus.InvalidFlag)]
    [InlineData(0x80, GrpcFrameStatus.InvalidFlag)]
    [InlineData(0xFF, GrpcFrameStatus.InvalidFlag)]
    public void TryReadMessage_FlagByte_OnlyZeroAndOneAreValid(byte flag, GrpcFrameStatus expected)
    {
        var buffer = new ReadOnlySequence<byte>(Frame(flag, [1]));

        Assert.Equal(expected, GrpcFraming.TryReadMessage(ref buffer, 100, out _, out _));
    }

    [Property(MaxTest = 500)]
    public Property TryReadMessage_AnySegmentation_ReadsTheSameMessages() =>
        Prop.ForAll(
            Gen.Choose(1, 7).ArrayOf().ToArbitrary(),
            cuts =>
            {
                // Two frames (one empty), cut into segments of the generated lengths.
                byte[] stream = [.. Frame(0, [1, 2, 3, 4, 5, 6, 7, 8, 9]), .. Frame(1, []), .. Frame(0, [42])];
                var parts = new List<byte[]>();
                var at = 0;
                foreach (var cut in cuts)
                {
                    var n = Math.Min(cut, stream.Length - at);
                    if (n > 0)
                    {
                        parts.Add(stream[at..(at + n)]);
                        at += n;
                    }
                }

                if (at < stream.Length)
                {
                    parts.Add(stream[at..]);
                }

                var buffer = Segments([.. parts]);
                var ok = GrpcFraming.TryReadMessage(ref buffer, 9, out var a, out var ac) == GrpcFrameStatus.Complete
                    && GrpcFraming.TryReadMessage(ref buffer, 9, out var b, out var bc) == GrpcFrameStatus.Complete
                    && GrpcFraming.TryReadMessage(ref buffer, 9, out var c, out var cc) == GrpcFrameStatus.Complete
                    && a.ToArray().SequenceEqual(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }) && !ac
                    && b.IsEmpty && bc
                    && c.ToArray().SequenceEqual(new byte[] { 42 }) && !cc;
                return ok && buffer.IsEmpty && GrpcFraming.TryReadMessage(ref buffer, 9, out _, out _) == GrpcFrameStatus.Incomplete;
            });

    [Fact]
    public void WriteMessage_ThenRead_RoundTrips()
    {
        var writer = new ArrayBufferWriter<byte>();
        GrpcFraming.WriteMessage(writer, [5, 6, 7]);
        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);

        Assert.Equal([0, 0, 0, 0, 3, 5, 6, 7], writer.WrittenSpan.ToArray());
        Assert.Equal(GrpcFrameStatus.Complete, GrpcFraming.TryReadMessage(ref buffer, 10, out var message, out _));
        Assert.Equal([5, 6, 7], message.ToArray());
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100% done", "100%25 done")]
    [InlineData("ünï", "%C3%BCn%C3%AF")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData(" ~", " ~")]
    [InlineData("tab\tdel\u007F", "tab%09del%7F")]
    [InlineData("日", "%E6%97%A5")]
    [InlineData("", "")]
    public void EncodeMessage_PercentEncodesPerGrpcSpec(string message, string expected) =>
        Assert.Equal(expected, GrpcFraming.EncodeMessage(message));

    private static byte[] Frame(byte flag, byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static ReadOnlySequence<byte> Segments(params byte[][] parts)
    {
        var first = new Segment(parts[0], 0);
        var last = first;
        for (var i = 1; i < parts.Length; i++)
        {
            last = last.Append(parts[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
