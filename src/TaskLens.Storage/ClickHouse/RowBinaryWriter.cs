using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace TaskLens.Storage.ClickHouse;

/// <summary>
/// Builds a RowBinary body (ClickHouse's native row format: little-endian fixed-width numbers, LEB128 lengths,
/// raw UTF-8) in pooled memory, so an insert of thousands of rows makes no per-row allocations. Two kinds:
/// <list type="bullet">
/// <item>an insert body (<see cref="RowBinaryWriter(RowBinaryBufferPool)"/>): a chain of fixed-size segments from a
/// bounded pool, sent segment by segment (<see cref="CopyToAsync"/>), so a large insert never needs one large
/// contiguous array nor a copy to grow (issue 20: 16 MiB arrays per insert in flight, on the large-object heap);</item>
/// <item>a small contiguous buffer (<see cref="RowBinaryWriter(int)"/>), grown by doubling, for pieces read back
/// through <see cref="WrittenMemory"/> and for small inserts.</item>
/// </list>
/// </summary>
public sealed class RowBinaryWriter : IDisposable
{
    /// <summary>Strings up to this many chars (at most 126 UTF-8 bytes: a one-byte length) take the one-pass path.</summary>
    private const int ShortString = 42;

    /// <summary>The most bytes one <see cref="Reserve"/> asks for in the segmented kind; longer writes go piece by piece.</summary>
    private const int MaxReserve = 1 + (ShortString * 3);

    /// <summary>Null for the contiguous kind.</summary>
    private readonly RowBinaryBufferPool? _segments;

    /// <summary>Full segments before <see cref="_buffer"/>, with the bytes written in each (null until the first).</summary>
    private List<(byte[] Buffer, int Length)>? _sealed;

    private byte[] _buffer;
    private int _length;
    private int _sealedLength;

    /// <summary>A contiguous buffer, grown by doubling on <see cref="ArrayPool{T}.Shared"/>.</summary>
    public RowBinaryWriter(int initialCapacity = 64 * 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>An insert body in segments of <paramref name="segments"/>; <see cref="WrittenMemory"/> holds only while it fits one.</summary>
    public RowBinaryWriter(RowBinaryBufferPool segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        _segments = segments;
        _buffer = segments.Rent();
    }

    /// <summary>Bytes written since the start or the last <see cref="Reset"/>.</summary>
    public int Length => _sealedLength + _length;

    /// <summary>
    /// The bytes written, as one piece: always for the contiguous kind; for an insert body only while it fits one
    /// segment (<see cref="InvalidOperationException"/> after), since its bytes are not contiguous.
    /// </summary>
    public ReadOnlyMemory<byte> WrittenMemory => _sealed is not { Count: > 0 }
        ? _buffer.AsMemory(0, _length)
        : throw new InvalidOperationException($"These {Length} bytes span several segments: send them with CopyToAsync.");

    /// <summary>Starts over; the contiguous kind keeps its buffer, an insert body keeps one segment and returns the rest.</summary>
    public void Reset()
    {
        ReturnSealed();
        _length = 0;
    }

    public void WriteUInt8(byte value) => Reserve(1)[0] = value;

    public void WriteInt8(sbyte value) => Reserve(1)[0] = unchecked((byte)value);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    /// <summary>8 bytes, most significant first: half of a FixedString(16) trace id or a FixedString(8) span id.</summary>
    public void WriteUInt64BigEndian(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), value);

    /// <summary>A DateTime: seconds since the Unix epoch as UInt32.</summary>
    public void WriteDateTime(uint unixSeconds) => WriteUInt32(unixSeconds);

    /// <summary>A DateTime from a time, clamped to the type's range; none is written as 0 (1970-01-01).</summary>
    public void WriteDateTime(DateTimeOffset? time) =>
        WriteUInt32(time is { } t ? (uint)Math.Clamp(t.ToUnixTimeSeconds(), 0, uint.MaxValue) : 0);

    /// <summary>An Array(String) value.</summary>
    public void WriteStringArray(IEnumerable<string> values)
    {
        var list = values as IReadOnlyCollection<string> ?? values.ToList();
        WriteArrayLength(list.Count);
        foreach (var value in list)
        {
            WriteString(value);
        }
    }

    /// <summary>The element count that starts an Array value.</summary>
    public void WriteArrayLength(int count) => WriteVarUInt((ulong)count);

    public void WriteString(string value)
    {
        if (value.Length <= ShortString)
        {
            // At most 126 bytes, so the length is one byte: encode straight after it, no counting pass first.
            if (_length + 1 + (value.Length * 3) > _buffer.Length)
            {
                Grow(1 + (value.Length * 3));
            }

            var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 1));
            _buffer[_length] = (byte)written;
            _length += 1 + written;
            return;
        }

        // Exact byte count first: RowBinary puts the length before the bytes.
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)byteCount);
        if (_segments is null || _length + byteCount <= _buffer.Length)
        {
            Encoding.UTF8.GetBytes(value, Reserve(byteCount));
            return;
        }

        // Across segments: whole characters per segment (a segment's last 1-3 bytes may stay unused), invalid
        // UTF-16 replaced by U+FFFD exactly as Encoding.UTF8 does, so the bytes match the count above.
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            if (_buffer.Length - _length < 4)
            {
                NextSegment();
            }

            Utf8.FromUtf16(rest, _buffer.AsSpan(_length), out var read, out var encoded, replaceInvalidSequences: true);
            _length += encoded;
            rest = rest[read..];
        }
    }

    /// <summary>Bytes already in RowBinary form (a piece encoded once and repeated on many rows).</summary>
    public void WriteRaw(ReadOnlySpan<byte> rowBinary) => WriteBytes(rowBinary);

    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        // Nearly every string of a span row (keys, values, names) is shorter than 128 bytes: a one-byte length, and
        // length and bytes checked against the buffer (or segment) once instead of per piece.
        var length = _length;
        var buffer = _buffer;
        if (utf8.Length < 0x80 && (uint)(length + 1 + utf8.Length) <= (uint)buffer.Length)
        {
            buffer[length] = (byte)utf8.Length;
            utf8.CopyTo(buffer.AsSpan(length + 1));
            _length = length + 1 + utf8.Length;
            return;
        }

        WriteVarUInt((ulong)utf8.Length);
        WriteBytes(utf8);
    }

    /// <summary>A FixedString(N): the bytes, zero-padded to N; longer input is an error.</summary>
    public void WriteFixedString(ReadOnlySpan<byte> value, int n)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, n);
        if (n <= MaxReserve)
        {
            var target = Reserve(n);
            value.CopyTo(target);
            target[value.Length..].Clear();
            return;
        }

        WriteBytes(value);
        for (var padding = n - value.Length; padding > 0; padding -= MaxReserve)
        {
            Reserve(Math.Min(padding, MaxReserve)).Clear();
        }
    }

    public void WriteVarUInt(ulong value)
    {
        // Array lengths and string lengths are nearly always one byte.
        if (value < 0x80 && (uint)_length < (uint)_buffer.Length)
        {
            _buffer[_length++] = (byte)value;
            return;
        }

        while (value >= 0x80)
        {
            Reserve(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Reserve(1)[0] = (byte)value;
    }

    /// <summary>Writes the bytes to <paramref name="stream"/>, segment by segment; may be called again (an insert's retry).</summary>
    public async Task CopyToAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (_sealed is not null)
        {
            foreach (var (buffer, length) in _sealed)
            {
                await stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
            }
        }

        await stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
    }

    public void Dispose()
    {
        ReturnSealed();
        var buffer = Interlocked.Exchange(ref _buffer, []);
        _length = 0;
        if (buffer.Length == 0)
        {
            return;
        }

        if (_segments is null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        else
        {
            _segments.Return(buffer);
        }
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Grow(count);
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    /// <summary>Copies <paramref name="bytes"/> in, across as many segments as it takes.</summary>
    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (_segments is null || _length + bytes.Length <= _buffer.Length)
        {
            bytes.CopyTo(Reserve(bytes.Length));
            return;
        }

        while (!bytes.IsEmpty)
        {
            if (_length == _buffer.Length)
            {
                NextSegment();
            }

            var piece = Math.Min(bytes.Length, _buffer.Length - _length);
            bytes[..piece].CopyTo(_buffer.AsSpan(_length));
            _length += piece;
            bytes = bytes[piece..];
        }
    }

    /// <summary>Room for <paramref name="count"/> more contiguous bytes: a larger buffer, or the next segment (count ≤ <see cref="MaxReserve"/>).</summary>
    private void Grow(int count)
    {
        if (_segments is not null)
        {
            NextSegment();
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    private void NextSegment()
    {
        (_sealed ??= []).Add((_buffer, _length));
        _sealedLength += _length;
        _buffer = _segments!.Rent();
        _length = 0;
    }

    private void ReturnSealed()
    {
        if (_sealed is { Count: > 0 })
        {
            foreach (var (buffer, _) in _sealed)
            {
                _segments!.Return(buffer);
            }

            _sealed.Clear();
        }

        _sealedLength = 0;
    }
}
