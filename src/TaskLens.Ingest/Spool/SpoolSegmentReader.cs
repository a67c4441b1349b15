using System.Buffers;
using System.Buffers.Binary;
using TaskLens.Ingest.Otlp;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// Reads the records of one segment file from an offset up to a limit. A record whose header or checksum does not
/// hold — a torn write at the tail after a crash, or a damaged block — is skipped by scanning for the next magic
/// whose record checks out; what was skipped is counted so it can be reported, never silently.
/// </summary>
internal static class SpoolSegmentReader
{
    /// <summary>
    /// The records read, the offset after the last byte examined, how many bytes were unreadable, and whether the
    /// read reached the limit (the end of the file, for a sealed segment).
    /// </summary>
    public sealed record ReadResult(List<(SpoolRecord Record, long End)> Records, long End, long SkippedBytes, bool AtLimit)
    {
        /// <summary>Gives the records' pooled buffers back; the records must not be used afterwards.</summary>
        public void ReturnBuffers() => Records.ForEach(r => r.Record.ReturnBuffer());
    }

    /// <summary>Reads records until the limit, <paramref name="maxRecords"/> or <paramref name="maxBytes"/> (at least one record).</summary>
    public static ReadResult Read(string path, long offset, long limit, int maxRecords, long maxBytes = long.MaxValue)
    {
        var records = new List<(SpoolRecord, long)>();
        long skipped = 0;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        limit = Math.Min(limit, file.Length);
        var position = offset;
        var header = new byte[SpoolRecord.HeaderBytes];
        while (position < limit && records.Count < maxRecords && position - offset < maxBytes)
        {
            if (TryReadAt(file, position, limit, header, out var record, out var length))
            {
                records.Add((record, position + length));
                position += length;
                continue;
            }

            // Not a valid record here: find the next one that checks out, or give up at the limit.
            var next = FindNext(file, position + 1, limit, header);
            skipped += next - position;
            position = next;
        }

        return new ReadResult(records, position, skipped, position >= limit);
    }

    private static bool TryReadAt(FileStream file, long position, long limit, byte[] header, out SpoolRecord record, out long length)
    {
        record = default;
        length = 0;
        if (limit - position < SpoolRecord.HeaderBytes)
        {
            return false;
        }

        file.Position = position;
        file.ReadExactly(header);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != SpoolRecord.Magic)
        {
            return false;
        }

        var bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
        if (bodyLength > SpoolRecord.MaxBodyBytes || position + SpoolRecord.HeaderBytes + bodyLength > limit)
        {
            return false;
        }

        // Pooled: export-sized records would otherwise be a large-object allocation each (and gen-2 collections).
        var rented = ArrayPool<byte>.Shared.Rent((int)bodyLength);
        var body = rented.AsMemory(0, (int)bodyLength);
        file.ReadExactly(body.Span);
        if (Crc32.Compute(body.Span) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)) || !SpoolRecord.TryParseBody(body, out record))
        {
            ArrayPool<byte>.Shared.Return(rented);
            record = default;
            return false;
        }

        record = record with { Buffer = rented };

        length = SpoolRecord.HeaderBytes + bodyLength;
        return true;
    }

    private static long FindNext(FileStream file, long from, long limit, byte[] header)
    {
        var buffer = new byte[64 * 1024];
        var position = from;
        while (position < limit)
        {
            file.Position = position;
            var read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, limit - position));
            for (var i = 0; i + 4 <= read; i++)
            {
                if (BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i)) == SpoolRecord.Magic
                    && TryReadAt(file, position + i, limit, header, out var found, out _))
                {
                    found.ReturnBuffer();
                    return position + i;
                }
            }

            // Step back 3 bytes so a magic split across two reads is still found.
            position += Math.Max(1, read - 3);
        }

        return limit;
    }
}
