using TaskLens.Storage.ClickHouse;

namespace TaskLens.UnitTests.Storage;

public sealed class RowBinaryWriterTests
{
    [Theory]
    [InlineData(0UL, new byte[] { 0x00 })]
    [InlineData(127UL, new byte[] { 0x7F })]
    [InlineData(128UL, new byte[] { 0x80, 0x01 })]
    [InlineData(16383UL, new byte[] { 0xFF, 0x7F })]
    [InlineData(16384UL, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(ulong.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void WriteVarUInt_IsLeb128(ulong value, byte[] expected)
    {
        using var writer = new RowBinaryWriter(4);
        writer.WriteVarUInt(value);

        Assert.Equal(expected, writer.WrittenMemory.ToArray());
    }

    [Fact]
    public void WriteString_IsByteLengthThenUtf8()
    {
        using var writer = new RowBinaryWriter(4);
        writer.WriteString("ü€");

        Assert.Equal([5, 0xC3, 0xBC, 0xE2, 0x82, 0xAC], writer.WrittenMemory.ToArray());
    }

    /// <summary>
    /// UTF-8 strings on both sides of the one-byte length (the short path) and of a buffer's end (the general path):
    /// always the LEB128 length, then the bytes.
    /// </summary>
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(126, 4)]
    [InlineData(127, 4)]
    [InlineData(127, 200)]
    [InlineData(128, 4)]
    [InlineData(128, 300)]
    [InlineData(5000, 4)]
    public void WriteStringUtf8_AnyLengthAndRoom_IsLeb128LengthThenBytes(int length, int initialCapacity)
    {
        var utf8 = Enumerable.Range(0, length).Select(i => (byte)('a' + (i % 26))).ToArray();
        using var writer = new RowBinaryWriter(initialCapacity);
        writer.WriteUInt8(0xEE);
        writer.WriteString(utf8);
        writer.WriteUInt8(0xFF);

        using var expected = new RowBinaryWriter(4);
        expected.WriteUInt8(0xEE);
        expected.WriteVarUInt((ulong)length);
        expected.WriteRaw(utf8);
        expected.WriteUInt8(0xFF);
        Assert.Equal(expected.WrittenMemory.ToArray(), writer.WrittenMemory.ToArray());
    }

    [Fact]
    public void WriteString_LongerThan127Bytes_HasTwoByteLength()
    {
        using var writer = new RowBinaryWriter(4);
        writer.WriteString(new string('x', 300));

        Assert.Equal(302, writer.Length);
        Assert.Equal([0xAC, 0x02], writer.WrittenMemory[..2].ToArray());
    }

    [Fact]
    public void NumbersAreLittleEndianAndIdsBigEndian()
    {
        using var writer = new RowBinaryWriter(1);
        writer.WriteUInt32(0x01020304);
        writer.WriteUInt64BigEndian(0x0102030405060708);
        writer.WriteInt8(-1);
        writer.WriteFloat64(1.0);

        Assert.Equal(
            [4, 3, 2, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0xFF, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F],
            writer.WrittenMemory.ToArray());
    }

    [Fact]
    public void WriteFixedString_PadsWithZeros()
    {
        using var writer = new RowBinaryWriter(1);
        writer.WriteFixedString([1, 2], 4);

        Assert.Equal([1, 2, 0, 0], writer.WrittenMemory.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteFixedString([1, 2, 3], 2));
    }

    [Fact]
    public void Reset_StartsOverKeepingTheBuffer()
    {
        using var writer = new RowBinaryWriter(1);
        writer.WriteString(new string('y', 1000));
        writer.Reset();
        writer.WriteUInt8(9);

        Assert.Equal([9], writer.WrittenMemory.ToArray());
    }
}
