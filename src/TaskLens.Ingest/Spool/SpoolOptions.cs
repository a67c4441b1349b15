namespace TaskLens.Ingest.Spool;

/// <summary>The on-disk spool that acknowledged exports wait in for ClickHouse, bound from <c>TaskLens:Spool</c>.</summary>
public sealed class SpoolOptions
{
    public const string SectionName = "TaskLens:Spool";

    /// <summary>
    /// On (the default): an export is acknowledged once it is in the spool, and ClickHouse slowness or outages are
    /// absorbed up to <see cref="MaxBytes"/>. Off: an export is acknowledged only once it is in ClickHouse.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Directory of the segment files; relative paths are under the working directory.</summary>
    public string Path { get; set; } = ".tasklens/spool";

    /// <summary>A segment is closed and a new one started past this size; drained segments are deleted whole.</summary>
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The spool's cap on disk. Past it, exports are pushed back (HTTP 503 / gRPC UNAVAILABLE, with a retry hint).</summary>
    public long MaxBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// The most of <see cref="MaxBytes"/> one tenant, and one service of a tenant, may have waiting; while n of them
    /// have bytes waiting, at most 1/n. So a flooding tenant or service is pushed back while the others still get in.
    /// </summary>
    public double MaxShare { get; set; } = 0.5;

    /// <summary>
    /// <see cref="SpoolFsync.Always"/> (the default): every acknowledgement waits for fsync of its records, grouped
    /// across concurrent exports. <see cref="SpoolFsync.Interval"/>: acknowledged once written to the OS, fsync every
    /// <see cref="FsyncInterval"/> — survives a TaskLens crash, not a power cut within the interval.
    /// </summary>
    public SpoolFsync Fsync { get; set; } = SpoolFsync.Always;

    public TimeSpan FsyncInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// On (the default): the next segment is made ahead of need as a file of <see cref="SegmentBytes"/> zeros, written
    /// and synced, so an append only overwrites blocks the file system has already allocated and its sync
    /// (<c>fdatasync</c>) flushes the data alone, with no journal commit for the file's size or extents — measured on
    /// ext4, 3 MiB appends synced in about half the time, and without waiting behind other processes' metadata
    /// (docs/ingest.md, "Where an acknowledgement waits"). Costs one segment of disk ahead and writing each segment's
    /// bytes twice (the zeros, then the records). Off: segments grow with their appends.
    /// </summary>
    public bool Preallocate { get; set; } = true;

    /// <summary>The most exports (spool records) the drainer sends to ClickHouse in one insert.</summary>
    public int DrainMaxItems { get; set; } = 20_000;

    /// <summary>
    /// The most bytes of spooled exports (as received, decompressed) in one insert: inserts are sized by bytes, so
    /// exports of big spans make fewer rows per insert and memory stays bounded. An insert may pass it by the one export a
    /// read took whole across it; an export larger than this goes alone.
    /// 12 MiB holds forty SDK-shaped 512-span exports (~20,000 spans): at 8 MiB inserts averaged ~11,000 rows, and every
    /// insert is a new part of spans and of each view's table that ClickHouse merges again (issue 20: merges were half
    /// of ClickHouse's CPU per span).
    /// </summary>
    public long DrainMaxBytes { get; set; } = 12L * 1024 * 1024;

    /// <summary>
    /// How many inserts the drainer has in flight at once: each is decoded, encoded and sent while the others wait
    /// for ClickHouse, so the drainer uses more than one core. The checkpoint still only passes stored inserts.
    /// </summary>
    public int DrainConcurrency { get; set; } = 2;

    /// <summary>
    /// The most bytes of spooled records the drainer holds in memory at once: read and not yet stored (a record stays
    /// in memory until its insert succeeds). The drainer reads a run's worth (<see cref="DrainMaxBytes"/>) at a time
    /// and reads the next as soon as a run is stored and the bound allows, so the inserts keep overlapping across
    /// reads. A read's last record is taken whole, so the bytes held may pass the bound by one export a read. 0 (the
    /// default): <see cref="DrainMaxBytes"/> × <see cref="DrainConcurrency"/>, enough for every insert in flight. Below
    /// <see cref="DrainMaxBytes"/> it reads one run at a time.
    /// </summary>
    public long DrainBufferBytes { get; set; }

    /// <summary><see cref="DrainBufferBytes"/>, or its default when 0.</summary>
    internal long DrainBufferBound => DrainBufferBytes > 0 ? DrainBufferBytes : DrainMaxBytes * DrainConcurrency;

    /// <summary>The longest the drainer waits before retrying ClickHouse after a failed insert (backing off from 100 ms).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most bytes of dead letters (exports ClickHouse refused for good, or unreadable records) kept in
    /// <c>dead-letters/</c> under <see cref="Path"/>; past it the oldest are deleted, with an error in the log.
    /// </summary>
    public long DeadLetterMaxBytes { get; set; } = 1024L * 1024 * 1024;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Path))
        {
            errors.Add("Spool Path must name a directory.");
        }

        if (SegmentBytes < 64 * 1024)
        {
            errors.Add($"Spool SegmentBytes {SegmentBytes} must be at least 64 KiB.");
        }

        if (MaxBytes < SegmentBytes)
        {
            errors.Add($"Spool MaxBytes {MaxBytes} must be at least SegmentBytes {SegmentBytes}.");
        }

        if (MaxShare is <= 0 or > 1)
        {
            errors.Add($"Spool MaxShare {MaxShare} must be above 0 and at most 1.");
        }

        if (DrainMaxItems < 1)
        {
            errors.Add("Spool DrainMaxItems must be at least 1.");
        }

        if (DrainMaxBytes < 64 * 1024)
        {
            errors.Add($"Spool DrainMaxBytes {DrainMaxBytes} must be at least 64 KiB.");
        }

        if (DrainConcurrency is < 1 or > 16)
        {
            errors.Add($"Spool DrainConcurrency {DrainConcurrency} must be from 1 to 16.");
        }

        if (DrainBufferBytes < 0)
        {
            errors.Add($"Spool DrainBufferBytes {DrainBufferBytes} must be 0 (the default) or more.");
        }

        if (DeadLetterMaxBytes < 1024 * 1024)
        {
            errors.Add($"Spool DeadLetterMaxBytes {DeadLetterMaxBytes} must be at least 1 MiB.");
        }

        if (FsyncInterval <= TimeSpan.Zero || MaxRetryDelay <= TimeSpan.Zero)
        {
            errors.Add("Spool FsyncInterval and MaxRetryDelay must be positive.");
        }

        return errors;
    }
}

/// <summary>When the spool forces its writes to disk; see <see cref="SpoolOptions.Fsync"/>.</summary>
public enum SpoolFsync
{
    Always,
    Interval,
}
