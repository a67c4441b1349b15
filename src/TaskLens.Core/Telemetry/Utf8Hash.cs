using System.Buffers.Binary;

namespace TaskLens.Core.Telemetry;

/// <summary>A fast 32-bit hash of UTF-8 bytes, for caches that look text up by its bytes without making a string.</summary>
public static class Utf8Hash
{
    public static int Of(ReadOnlySpan<byte> bytes)
    {
        var hash = (ulong)bytes.Length * 0x9E3779B97F4A7C15UL;
        while (bytes.Length >= 8)
        {
            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 0x100000001B3UL;
            bytes = bytes[8..];
        }

        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 0x100000001B3UL;
        }

        return (int)(hash ^ (hash >> 29));
    }
}
