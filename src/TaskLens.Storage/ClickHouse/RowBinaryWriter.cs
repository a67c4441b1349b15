using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace TaskLens.Storage.ClickHouse;

/// <summary>
/// Builds a RowBinary body (ClickHouse's native row format: little-endian fixed-width numbers, LEB128 lengths,
/// raw UTF-8) in one growable pooled buffer, so an insert of thousands of rows makes no per-row allocations.
/// </summary>
public sealed class RowBinaryWriter : IDisposable
{
    /// <summary>Strings up to this many chars (at most 126 UTF-8 bytes: a one-byte length) take the one-pass path.</summary>
    private const int ShortString = 42;

    private byte[] _buffer;
    private int _length;

    public RowBinaryWriter(int initialCapacity = 64 * 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    public int Length => _length;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Reset() => _length = 0;

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
        Encoding.UTF8.GetBytes(value, Reserve(byteCount));
    }

    /// <summary>Bytes already in RowBinary form (a piece encoded once and repeated on many rows).</summary>
    public void WriteRaw(ReadOnlySpan<byte> rowBinary) => rowBinary.CopyTo(Reserve(rowBinary.Length));

    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        WriteVarUInt((ulong)utf8.Length);
        utf8.CopyTo(Reserve(utf8.Length));
    }

    /// <summary>A FixedString(N): the bytes, zero-padded to N; longer input is an error.</summary>
    public void WriteFixedString(ReadOnlySpan<byte> value, int n)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, n);
        var target = Reserve(n);
        value.CopyTo(target);
        target[value.Length..].Clear();
    }

    public void WriteVarUInt(ulong value)
    {
        while (value >= 0x80)
        {
            Reserve(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Reserve(1)[0] = (byte)value;
    }

    public Task CopyToAsync(Stream stream, CancellationToken cancellationToken) =>
        stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).AsTask();

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
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

    private void Grow(int count)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
