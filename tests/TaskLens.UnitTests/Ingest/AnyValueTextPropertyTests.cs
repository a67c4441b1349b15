using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TaskLens.Ingest.Otlp;

namespace TaskLens.UnitTests.Ingest;

/// <summary>
/// The positional fast paths for the usual KeyValue and AnyValue layouts decide exactly as the general field-by-field
/// readers do, on that layout (lengths on both sides of the one-byte varint limit) and on any one-byte mutation of it.
/// </summary>
public sealed class AnyValueTextPropertyTests
{
    private static readonly Arbitrary<(byte[] Message, int Position, byte Value)> KeyValues =
        Gen.Choose(0, 140).Zip(Gen.Choose(0, 140)).Zip(Gen.Choose(0, 300)).Zip(Gen.Choose(0, 255))
            .Select(t =>
            {
                var (((keyLength, valueLength), position), value) = t;
                return (Field(1, Filled(keyLength, 0x61)).Concat(Field(2, Field(1, Filled(valueLength, 0x62)))).ToArray(), position, (byte)value);
            })
            .ToArbitrary();

    [Property(MaxTest = 3000)]
    public Property TrySplitKeyValue_UsualLayoutOrMutated_AgreesWithGeneralPath() =>
        Prop.ForAll(KeyValues, m =>
        {
            var message = Mutated(m.Message, m.Position, m.Value);
            var fast = AnyValueText.TrySplitKeyValue(message, out var key, out var value, out var error);
            var general = AnyValueText.TrySplitKeyValueInGeneral(message, out var generalKey, out var generalValue, out var generalError);
            return fast == general && error == generalError && key.SequenceEqual(generalKey) && value.SequenceEqual(generalValue);
        });

    [Property(MaxTest = 3000)]
    public Property TryFindValue_UsualLayoutOrMutated_AgreesWithGeneralPath() =>
        Prop.ForAll(KeyValues, m =>
        {
            AnyValueText.TrySplitKeyValueInGeneral(m.Message, out _, out var anyValue, out _);
            var message = Mutated(anyValue.ToArray(), m.Position, m.Value);
            var fast = AnyValueText.TryFindValue(message, out var field, out var wireType, out var payload, out var scalar, out var error);
            var general = AnyValueText.TryFindValueInGeneral(message, out var generalField, out var generalWireType, out var generalPayload, out var generalScalar, out var generalError);
            return fast == general && error == generalError && (field, wireType, scalar) == (generalField, generalWireType, generalScalar)
                && payload.SequenceEqual(generalPayload);
        });

    /// <summary>An int_value AnyValue (tag 0x18, then a varint of 1-10 bytes) of any value, or one byte of it mutated.</summary>
    private static readonly Arbitrary<(byte[] AnyValue, int Position, byte Value)> IntValues =
        Gen.Choose(0, 63).Zip(Gen.Choose(int.MinValue, int.MaxValue)).Zip(Gen.Choose(0, 12)).Zip(Gen.Choose(0, 255))
            .Select(t =>
            {
                var (((shift, bits), position), value) = t;
                return (new byte[] { 0x18 }.Concat(Varint(((ulong)(uint)bits << 32 | (uint)bits) >> shift)).ToArray(), position, (byte)value);
            })
            .ToArbitrary();

    [Property(MaxTest = 3000)]
    public Property TryFindValue_IntValueOrMutated_AgreesWithGeneralPath() =>
        Prop.ForAll(IntValues, m =>
        {
            var message = Mutated(m.AnyValue, m.Position, m.Value);
            var fast = AnyValueText.TryFindValue(message, out var field, out var wireType, out var payload, out var scalar, out var error);
            var general = AnyValueText.TryFindValueInGeneral(message, out var generalField, out var generalWireType, out var generalPayload, out var generalScalar, out var generalError);
            return fast == general && error == generalError && (field, wireType, scalar) == (generalField, generalWireType, generalScalar)
                && payload.SequenceEqual(generalPayload);
        });

    [Theory]
    [InlineData(new byte[] { 0x18, 0x00 }, 0UL)]
    [InlineData(new byte[] { 0x18, 0xC8, 0x01 }, 200UL)]
    [InlineData(new byte[] { 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, ulong.MaxValue)]
    public void TryFindValue_IntValue_IsFieldThreeWithItsVarint(byte[] anyValue, ulong expected)
    {
        Assert.True(AnyValueText.TryFindValue(anyValue, out var field, out _, out _, out var scalar, out _));

        Assert.Equal((3, expected), (field, scalar));
    }

    [Theory]
    [InlineData(new byte[] { 0x18 })]
    [InlineData(new byte[] { 0x18, 0x80 })]
    [InlineData(new byte[] { 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 })]
    public void TryFindValue_TruncatedOrOverlongIntValue_FailsAsTheGeneralPathDoes(byte[] anyValue)
    {
        Assert.False(AnyValueText.TryFindValue(anyValue, out _, out _, out _, out _, out var error));

        Assert.Equal("AnyValue: field 3 truncated", error);
    }

    [Fact]
    public void TrySplitKeyValue_UsualLayout_SplitsKeyAndValue()
    {
        var message = Field(1, [0x6B]).Concat(Field(2, Field(1, [0x76]))).ToArray();

        Assert.True(AnyValueText.TrySplitKeyValue(message, out var key, out var value, out _));

        Assert.Equal(new byte[] { 0x6B }, key.ToArray());
        Assert.Equal(new byte[] { 0x0A, 1, 0x76 }, value.ToArray());
    }

    /// <summary>A mutation at a position past the end leaves the message as it is.</summary>
    private static byte[] Mutated(byte[] message, int position, byte value)
    {
        var copy = (byte[])message.Clone();
        if (position < copy.Length)
        {
            copy[position] = value;
        }

        return copy;
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    /// <summary>A length-delimited field: tag, varint length, payload.</summary>
    private static byte[] Field(int number, byte[] payload)
    {
        var bytes = new List<byte> { (byte)((number << 3) | 2) };
        var length = (uint)payload.Length;
        while (length >= 0x80)
        {
            bytes.Add((byte)(length | 0x80));
            length >>= 7;
        }

        bytes.Add((byte)length);
        bytes.AddRange(payload);
        return [.. bytes];
    }
}
