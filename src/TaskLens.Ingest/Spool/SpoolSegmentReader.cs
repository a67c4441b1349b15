using System.Buffers.Binary;
using TaskLens.Ingest.Otlp;
using TaskLens.Ingest.Receivers;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// Reads the records of one segment file from an offset up to a limit. A record whose header or checksum does not
/// hold — a torn write at the tail after a crash, or a damaged block — is skipped by scanning for the next magic
/// whose record checks out; what was skipped is counted so it can be reported, never silently. A record whose
/// checksum holds but whose content this version cannot read is returned whole as undecodable, for the dead letters.
/// </summary>
internal static class SpoolSegmentReader
{
    /// <summary>
    /// The records read, the offset after the last byte examined, how many bytes were unreadable, whether the
    /// read reached the limit (the end of the file, for a sealed segment), and the intact records that could not be
    /// decoded (each whole, header included).
    /// </summary>
    public sealed record ReadResult(List<(SpoolRecord Record, long End)> Records, long End, long SkippedBytes, bool AtLimit, List<byte[]> Undecodable)
    {
        /// <summary>The pooled blocks that the records of a block read are slices of (none for a record-by-record read).</summary>
        public IReadOnlyList<byte[]> Blocks { get; init; } = [];

        /// <summary>The pool <see cref="Blocks"/> came from and go back to.</summary>
        public IngestBufferPool BlockPool { get; init; } = IngestBufferPool.Shared;

        /// <summary>Gives the records' pooled buffers back; the records must not be used afterwards.</summary>
        public void ReturnBuffers()
        {
            Records.ForEach(r => r.Record.ReturnBuffer());
            foreach (var block in Blocks)
            {
                BlockPool.Return(block);
            }
        }
    }

    /// <summary>The most bytes read in blocks at once when the caller sets no smaller byte bound.</summary>
    private const long MaxBlockBytes = 64L * 1024 * 1024;

    /// <summary>
    /// A block's size: a read of tens of MiB is a chain of these (a record larger than one gets a block of its own),
    /// so it takes arrays of one size that <see cref="IngestBufferPool"/> keeps and hands out again, rather than one
    /// array rounded up to the next power of two (a 48 MiB read took a fresh 64 MiB array each time, issue 20).
    /// </summary>
    public const int BlockBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Reads records until the limit, <paramref name="maxRecords"/> or <paramref name="maxBytes"/> (at least one
    /// record), in blocks from <paramref name="blockPool"/> (<see cref="IngestBufferPool.Shared"/> unless given).
    /// </summary>
    public static ReadResult Read(string path, long offset, long limit, int maxRecords, long maxBytes = long.MaxValue, int blockBytes = BlockBytes, IngestBufferPool? blockPool = null)
    {
        blockPool ??= IngestBufferPool.Shared;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        limit = Math.Min(limit, file.Length);
        var records = new List<(SpoolRecord, long)>();
        var blocks = ReadBlocks(file, offset, limit, maxRecords, maxBytes, blockBytes, blockPool, records, out var position);
        return ReadEach(file, offset, position, limit, maxRecords, maxBytes, records) with { Blocks = blocks, BlockPool = blockPool };
    }

    /// <summary>
    /// The common case: whole, intact records read in blocks of <paramref name="blockBytes"/>, each record a slice of
    /// one: a few pooled arrays and reads for the whole slice, rather than a pooled array per record — a drain read
    /// holds a hundred export-sized records at once, more than the shared pool keeps, so the rest were large-object
    /// allocations each and brought gen-2 collections. A record cut by a block's end is moved to the start of the
    /// next block. Stops before the first record that is not whole within the bounds or does not check out, at
    /// <paramref name="end"/>, where <see cref="ReadEach"/> goes on. The blocks that hold records.
    /// </summary>
    private static List<byte[]> ReadBlocks(FileStream file, long offset, long limit, int maxRecords, long maxBytes, int blockBytes, IngestBufferPool pool, List<(SpoolRecord, long)> records, out long end)
    {
        var blocks = new List<byte[]>();
        end = offset;
        var readEnd = offset + Math.Min(limit - offset, Math.Min(maxBytes, MaxBlockBytes));
        if (readEnd - offset < SpoolRecord.HeaderBytes || maxRecords < 1)
        {
            return blocks;
        }

        file.Position = offset;
        byte[]? block = null;
        int at = 0, filled = 0;
        var blockStart = offset; // the file offset of block[0]
        var blockHasRecords = false;
        while (records.Count < maxRecords)
        {
            var needed = SpoolRecord.HeaderBytes;
            if (filled - at >= needed)
            {
                var header = block.AsSpan(at, SpoolRecord.HeaderBytes);
                var bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header) != SpoolRecord.Magic || bodyLength > (ulong)(readEnd - (blockStart + at) - SpoolRecord.HeaderBytes))
                {
                    break;
                }

                needed = SpoolRecord.HeaderBytes + (int)bodyLength;
                if (filled - at >= needed)
                {
                    var body = block.AsMemory(at + SpoolRecord.HeaderBytes, (int)bodyLength);
                    if (Crc32.Compute(body.Span) != BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) || !SpoolRecord.TryParseBody(body, out var record))
                    {
                        break;
                    }

                    at += needed;
                    records.Add((record, blockStart + at));
                    blockHasRecords = true;
                    continue;
                }
            }

            // The next record (or its header) goes past the block's bytes: the rest of it, and whatever follows up
            // to a block's worth, goes into the next block (sized for the record if it is larger than a block).
            var left = filled - at;
            var toRead = readEnd - (blockStart + filled);
            if (toRead <= 0)
            {
                break;
            }

            // A whole block even for a short read: the drainer's pool keeps blocks of one size, so every read reuses
            // them (a read of the spool's last few exports rented its own smaller size, which evicted or missed).
            var next = pool.Rent(Math.Max(blockBytes, needed));
            block.AsSpan(at, left).CopyTo(next);
            var read = (int)Math.Min(next.Length - left, toRead);
            file.ReadExactly(next.AsSpan(left, read));
            if (block is not null)
            {
                if (blockHasRecords)
                {
                    blocks.Add(block);
                }
                else
                {
                    pool.Return(block);
                }
            }

            blockStart += at;
            block = next;
            at = 0;
            filled = left + read;
            blockHasRecords = false;
        }

        end = blockStart + at;
        if (block is not null)
        {
            if (blockHasRecords)
            {
                blocks.Add(block);
            }
            else
            {
                pool.Return(block);
            }
        }

        return blocks;
    }

    /// <summary>
    /// Record by record from <paramref name="position"/>, each in its own pooled array: skips what does not check out
    /// and keeps what cannot be decoded. The bounds count from <paramref name="offset"/>, where the read began.
    /// </summary>
    private static ReadResult ReadEach(FileStream file, long offset, long position, long limit, int maxRecords, long maxBytes, List<(SpoolRecord, long)> records)
    {
        var undecodable = new List<byte[]>();
        long skipped = 0;
        var header = new byte[SpoolRecord.HeaderBytes];
        while (position < limit && records.Count < maxRecords && position - offset < maxBytes)
        {
            var found = TryReadAt(file, position, limit, header, out var record, out var length);
            if (found == Found.Record)
            {
                records.Add((record, position + length));
                position += length;
                continue;
            }

            if (found == Found.Undecodable)
            {
                undecodable.Add(CopyRaw(file, position, length));
                position += length;
                continue;
            }

            // Not a valid record here: find the next one that checks out, or give up at the limit. Zeros up to the limit
            // are not damage but a preallocated segment's space never written (a crash left it unsealed), so only the
            // bytes before them count as skipped: a torn record at such a tail is still reported, its zeros are not.
            var next = FindNext(file, position, limit, header, out var dataEnd);
            skipped += (next < limit ? next : dataEnd) - position;
            position = next;
        }

        return new ReadResult(records, position, skipped, position >= limit, undecodable);
    }

    private enum Found
    {
        Nothing,
        Record,
        Undecodable,
    }

    private static Found TryReadAt(FileStream file, long position, long limit, byte[] header, out SpoolRecord record, out long length)
    {
        record = default;
        length = 0;
        if (limit - position < SpoolRecord.HeaderBytes)
        {
            return Found.Nothing;
        }

        file.Position = position;
        file.ReadExactly(header);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != SpoolRecord.Magic)
        {
            return Found.Nothing;
        }

        var bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
        if (bodyLength > SpoolRecord.MaxBodyBytes || position + SpoolRecord.HeaderBytes + bodyLength > limit)
        {
            return Found.Nothing;
        }

        // Pooled: export-sized records would otherwise be a large-object allocation each (and gen-2 collections). From
        // ingest's own pool, like the block reads (SpoolRecord.ReturnBuffer gives it back there), so the arrays kept for
        // reuse stay within its one retention bound rather than in the shared ArrayPool beside it.
        var rented = IngestBufferPool.Shared.Rent((int)bodyLength);
        var body = rented.AsMemory(0, (int)bodyLength);
        file.ReadExactly(body.Span);
        if (Crc32.Compute(body.Span) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)))
        {
            IngestBufferPool.Shared.Return(rented);
            return Found.Nothing;
        }

        length = SpoolRecord.HeaderBytes + bodyLength;
        if (!SpoolRecord.TryParseBody(body, out record))
        {
            // Intact but not a record this version reads: acknowledged data all the same, so it is kept, not skipped.
            IngestBufferPool.Shared.Return(rented);
            record = default;
            return Found.Undecodable;
        }

        record = record with { Buffer = rented };
        return Found.Record;
    }

    private static byte[] CopyRaw(FileStream file, long position, long length)
    {
        var raw = new byte[length];
        file.Position = position;
        file.ReadExactly(raw);
        return raw;
    }

    /// <summary>
    /// The next record that checks out after <paramref name="at"/>, or <paramref name="limit"/>; and
    /// <paramref name="dataEnd"/>, the end of the last non-zero byte from <paramref name="at"/> to there.
    /// </summary>
    private static long FindNext(FileStream file, long at, long limit, byte[] header, out long dataEnd)
    {
        var buffer = new byte[64 * 1024];
        var position = at;
        dataEnd = at;
        while (position < limit)
        {
            file.Position = position;
            var read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, limit - position));
            var lastNonZero = buffer.AsSpan(0, Math.Max(0, read)).LastIndexOfAnyExcept((byte)0);
            if (lastNonZero >= 0)
            {
                dataEnd = Math.Max(dataEnd, position + lastNonZero + 1);
            }

            for (var i = position == at ? 1 : 0; i + 4 <= read; i++)
            {
                if (BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i)) == SpoolRecord.Magic
                    && TryReadAt(file, position + i, limit, header, out var found, out _) != Found.Nothing)
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
