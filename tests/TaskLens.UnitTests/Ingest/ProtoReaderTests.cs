using FsCheck.Xunit;
using TaskLens.Ingest.Otlp;

namespace TaskLens.UnitTests.Ingest;

public sealed class ProtoReaderTests
{
    [Theory]
    [InlineData(new byte[] { 0x00 }, 0UL)]
    [InlineData(new byte[] { 0x96, 0x01 }, 150UL)]
    [InlineData(new byte[] { 0x80, 0x00 }, 0UL)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, 0xFFFFFFFFUL)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, ulong.MaxValue)]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, 1UL << 63)]
    public void TryReadVarint_ValidEncoding_ReadsValueAndConsumesIt(byte[] bytes, ulong expected)
    {
        var reader = new ProtoReader(bytes);

        Assert.True(reader.TryReadVarint(out var value));
        Assert.Equal(expected, value);
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 })]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })]
    public void TryReadVarint_TruncatedOrPast64Bits_Fails(byte[] bytes)
    {
        var reader = new ProtoReader(bytes);

        Assert.False(reader.TryReadVarint(out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x08 }, 1, 0)]
    [InlineData(new byte[] { 0x11 }, 2, 1)]
    [InlineData(new byte[] { 0x1A }, 3, 2)]
    [InlineData(new byte[] { 0x85, 0x01 }, 16, 5)]
    [InlineData(new byte[] { 0xFA, 0xFF, 0xFF, 0xFF, 0x0F }, 536_870_911, 2)]
    public void TryReadTag_ValidTag_SplitsFieldAndWireType(byte[] bytes, int field, int wireType)
    {
        var reader = new ProtoReader(bytes);

        Assert.True(reader.TryReadTag(out var f, out var w));
        Assert.Equal((field, wireType), (f, (int)w));
    }

    [Theory]
    [InlineData(new byte[] { 0x00 })]
    [InlineData(new byte[] { 0x0E })]
    [InlineData(new byte[] { 0x0F })]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x10 })]
    public void TryReadTag_FieldZeroUndefinedWireTypeOrPast32Bits_Fails(byte[] bytes)
    {
        var reader = new ProtoReader(bytes);

        Assert.False(reader.TryReadTag(out _, out _));
    }

    [Theory]
    [InlineData(0, new byte[] { 0xAC, 0x02, 0x7F }, 2)]
    [InlineData(1, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 0x7F }, 8)]
    [InlineData(2, new byte[] { 0x03, 1, 2, 3, 0x7F }, 4)]
    [InlineData(5, new byte[] { 1, 2, 3, 4, 0x7F }, 4)]
    public void TrySkip_EachWireType_ConsumesExactlyTheValue(int wireType, byte[] bytes, int consumed)
    {
        var reader = new ProtoReader(bytes);

        Assert.True(reader.TrySkip((WireType)wireType));
        Assert.Equal(consumed, reader.Position);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void TrySkip_Group_IsRefused(int wireType)
    {
        var reader = new ProtoReader([0x08, 0x01, 0x0C]);

        Assert.False(reader.TrySkip((WireType)wireType));
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 1, 2, 3, 4 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 1 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void TryReadLengthDelimited_LengthPastEnd_Fails(byte[] bytes)
    {
        var reader = new ProtoReader(bytes);

        Assert.False(reader.TryReadLengthDelimited(out var payload));
        Assert.True(payload.IsEmpty);
    }

    [Fact]
    public void TryReadLengthDelimited_ExactLength_ReturnsSlice()
    {
        var reader = new ProtoReader([0x02, 9, 8, 0x01]);

        Assert.True(reader.TryReadLengthDelimited(out var payload));
        Assert.Equal([9, 8], payload.ToArray());
        Assert.Equal(3, reader.Position);
    }

    [Fact]
    public void TryReadFixed_LittleEndianAndTruncated_ReadsOrFails()
    {
        var reader = new ProtoReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xAA, 0xBB, 0xCC]);

        Assert.True(reader.TryReadFixed64(out var v64));
        Assert.Equal(0x0807060504030201UL, v64);
        Assert.False(reader.TryReadFixed32(out _));
        Assert.False(reader.TryReadFixed64(out _));
        Assert.Equal(8, reader.Position);
    }

    [Property(MaxTest = 3000)]
    public bool ReadingAnyBytes_NeverThrowsAndNeverPassesTheEnd(byte[] input) => WalkStaysInBounds(input ?? []);

    private static bool WalkStaysInBounds(byte[] input)
    {
        var reader = new ProtoReader(input);
        var last = 0;
        while (!reader.End)
        {
            if (!reader.TryReadTag(out _, out var wireType) || !reader.TrySkip(wireType))
            {
                return reader.Position <= input.Length;
            }

            // Every successful field moves forward, so a walk always terminates.
            if (reader.Position <= last || reader.Position > input.Length)
            {
                return false;
            }

            last = reader.Position;
        }

        return reader.Position == input.Length;
    }
}
