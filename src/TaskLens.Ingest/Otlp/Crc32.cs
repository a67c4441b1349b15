namespace TaskLens.Ingest.Otlp;

/// <summary>
/// CRC-32 (IEEE 802.3), the checksum in a gzip member's trailer (RFC 1952 §2.3.1) and of every spool record.
/// Computed by System.IO.Hashing, which uses the CPU's carry-less multiply: the spool checksums every byte twice.
/// </summary>
internal static class Crc32
{
    public static uint Compute(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);
}
