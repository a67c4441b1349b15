using System.Buffers.Binary;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Reads protobuf wire format from a span without allocating. Every read is bounds-checked and reports failure
/// by returning false — never by throwing — so hostile input costs a rejection, not an exception.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool End => _position >= _data.Length;

    public readonly int Position => _position;

    /// <summary>Reads a field tag. Fails on a truncated varint, field number 0, or an undefined wire type.</summary>
    public bool TryReadTag(out int field, out WireType wireType)
    {
        field = 0;
        wireType = 0;
        if (!TryReadVarint(out var tag) || tag > uint.MaxValue)
        {
            return false;
        }

        field = (int)(tag >> 3);
        wireType = (WireType)(tag & 7);
        return field > 0 && (int)wireType <= 5;
    }

    /// <summary>A base-128 varint of at most 10 bytes whose value fits 64 bits.</summary>
    public bool TryReadVarint(out ulong value)
    {
        // Most varints on the hot path (tags, lengths of keys, values and small messages) are one byte.
        if ((uint)_position < (uint)_data.Length && _data[_position] < 0x80)
        {
            value = _data[_position++];
            return true;
        }

        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                return false;
            }

            var b = _data[_position++];

            // The tenth byte may only carry the 64th bit.
            if (shift == 63 && b > 1)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    public bool TryReadFixed64(out ulong value)
    {
        if (_data.Length - _position < 8)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(_position, 8));
        _position += 8;
        return true;
    }

    public bool TryReadFixed32(out uint value)
    {
        if (_data.Length - _position < 4)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(_position, 4));
        _position += 4;
        return true;
    }

    /// <summary>A length-delimited field's payload (bytes, string or embedded message).</summary>
    public bool TryReadLengthDelimited(out ReadOnlySpan<byte> payload)
    {
        payload = default;
        if (!TryReadVarint(out var length) || length > (ulong)(_data.Length - _position))
        {
            return false;
        }

        payload = _data.Slice(_position, (int)length);
        _position += (int)length;
        return true;
    }

    /// <summary>Skips a field of a type the reader does not know. Groups (deprecated) are refused.</summary>
    public bool TrySkip(WireType wireType) => wireType switch
    {
        WireType.Varint => TryReadVarint(out _),
        WireType.Fixed64 => TryReadFixed64(out _),
        WireType.LengthDelimited => TryReadLengthDelimited(out _),
        WireType.Fixed32 => TryReadFixed32(out _),
        _ => false,
    };

    /// <summary>Reads a value of the expected wire type as an unsigned integer (varint, fixed32 or fixed64).</summary>
    public bool TryReadScalar(WireType wireType, out ulong value)
    {
        value = 0;
        switch (wireType)
        {
            case WireType.Varint:
                return TryReadVarint(out value);
            case WireType.Fixed64:
                return TryReadFixed64(out value);
            case WireType.Fixed32:
                var ok = TryReadFixed32(out var v32);
                value = v32;
                return ok;
            default:
                return false;
        }
    }
}
