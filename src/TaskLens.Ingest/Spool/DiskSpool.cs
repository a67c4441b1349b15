using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// The append side of the spool: numbered segment files in one directory, written by a single loop that groups the
/// records of concurrent exports into one write and one fsync (group commit), then completes their appends — the
/// moment their exports may be acknowledged. Segments are never rewritten; the drainer deletes them once
/// ClickHouse holds their records. New records always go to a new segment after a restart.
/// The loop runs on a thread of its own: a write and its fsync block for milliseconds (tens on a busy disk), and on a
/// thread-pool thread — one of two on a 2-core host — that block held up the receive path of every other export, the
/// drainer and the very acknowledgements it was completing (issue 20).
/// With <see cref="SpoolOptions.Preallocate"/>, segments are made ahead as zero-filled files
/// (<see cref="SegmentPreallocator"/>) and appends are synced with <c>fdatasync</c>, which then flushes the data alone;
/// a segment is cut to its records' length when sealed, and one a crash left unsealed ends in zeros, which the reader
/// tells from a torn record.
/// </summary>
internal sealed class DiskSpool : IAsyncDisposable
{
    private const string Extension = ".seg";
    private const int WriteChunkBytes = 1024 * 1024;
    private static readonly KeyValuePair<string, object?> WaitPhase = new("phase", "wait");
    private static readonly KeyValuePair<string, object?> WritePhase = new("phase", "write");
    private static readonly KeyValuePair<string, object?> SyncPhase = new("phase", "sync");

    private readonly SpoolOptions _options;
    private readonly ILogger<DiskSpool> _logger;
    // A blocking queue: the writer thread waits on it directly, so waking it needs no thread-pool thread.
    private readonly BlockingCollection<PendingAppend> _queue = new();
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _fileLock = new();
    private readonly Timer? _fsyncTimer;
    private readonly SegmentPreallocator? _preallocator;
    private readonly Histogram<double>? _appendDuration;
    private FileStream? _active;
    private bool _activePreallocated;
    private long _activeSeq;
    private long _activeLength;
    private long _totalBytes;
    private bool _unsynced;
    private SpoolPosition _committed;
    private SpoolPosition? _drained;
    private readonly SpoolShares _shares;
    private TaskCompletionSource _dataAvailable = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stateLock = new();
    private DateTimeOffset? _refusingSince;
    private volatile bool _refusing;
    private long _refusedExports;
    private string? _lastError;

    public DiskSpool(IOptions<SpoolOptions> options, ILogger<DiskSpool> logger, IMeterFactory? meters = null)
    {
        _options = options.Value;
        _logger = logger;
        _shares = new SpoolShares(_options.MaxBytes, _options.MaxShare);
        Directory = Path.GetFullPath(_options.Path);
        System.IO.Directory.CreateDirectory(Directory);
        var existing = ListSegments();
        // By file length: a segment a crash left unsealed keeps its preallocated zero tail, which counts against the
        // cap until the drainer has drained and deleted that segment — at most one segment (SegmentBytes) per crash, for
        // as long as draining it takes after the restart (the first segment after a start grows rather than being made ahead). Cutting the tail here would need the segment's records scanned to find
        // where they end (a record's own bytes may end in zeros), at every start, for that bounded gain.
        _totalBytes = existing.Sum(seq => new FileInfo(SegmentPath(seq)).Length);
        _activeSeq = existing.Count == 0 ? 1 : existing[^1] + 1;
        _committed = new SpoolPosition(_activeSeq, 0);
        if (existing.Count > 0)
        {
            IngestLog.SpoolFound(_logger, existing.Count, _totalBytes, Directory);
        }

        _appendDuration = meters?.Create(Receivers.IngestMeter.MeterName).CreateHistogram<double>(
            "tasklens.spool.append.duration",
            "s",
            "The spool's share of an export's durable stage, by phase: wait (an export's append, queued until its group is written and synced), write (a group's writes), sync (a group's fdatasync)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Receivers.IngestMeter.LatencyBuckets });
        _preallocator = _options.Preallocate ? new SegmentPreallocator(Directory, _options.SegmentBytes, logger) : null;
        new Thread(WriteLoop) { IsBackground = true, Name = "TaskLens spool writer" }.Start();
        if (_options.Fsync == SpoolFsync.Interval)
        {
            _fsyncTimer = new Timer(_ => SyncNow(), null, _options.FsyncInterval, _options.FsyncInterval);
        }
    }

    public string Directory { get; }

    /// <summary>Bytes of segment files on disk.</summary>
    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    /// <summary>Bytes waiting for ClickHouse: what the cap is checked against.</summary>
    public long PendingBytes => TotalBytes - DrainedOnDisk;

    /// <summary>Drained bytes still on disk: the drained head of the one segment the drainer is in (older ones are deleted).</summary>
    private long DrainedOnDisk => Volatile.Read(ref _drained)?.Offset ?? 0;

    /// <summary>The drainer reports each record it has stored, so it no longer counts against its tenant's and service's share.</summary>
    public void ReportStored(SpoolRecord record) => _shares.Release(record.Tenant, record.Service, record.EncodedLength);

    /// <summary>The drainer reports how far it has stored, so drained bytes no longer count against the cap.</summary>
    public void ReportDrained(SpoolPosition position) => Volatile.Write(ref _drained, position);

    /// <summary>
    /// Whether the disk refuses writes now (full, read-only, out of handles): since when, how many exports were refused
    /// meanwhile, and the last error. Null while writes succeed.
    /// </summary>
    public (DateTimeOffset Since, long RefusedExports, string Error)? WriteFailure
    {
        get
        {
            lock (_stateLock)
            {
                return _refusingSince is { } since ? (since, _refusedExports, _lastError ?? string.Empty) : null;
            }
        }
    }

    /// <summary>How a group's records are made durable (<c>fdatasync</c>); tests hold or fail it to see what is acknowledged when.</summary>
    internal Action<SafeFileHandle> SyncData { get; init; } = FileDataSync.Sync;

    /// <summary>Whether a zero-filled segment is ready for the next roll (<see cref="SpoolOptions.Preallocate"/>).</summary>
    internal bool NextSegmentPrepared => _preallocator?.IsReady == true;

    /// <summary>The end of what has been written (and, with <see cref="SpoolFsync.Always"/>, synced); readers stop here.</summary>
    public SpoolPosition Committed => Volatile.Read(ref _committed);

    /// <summary>
    /// Why a record of at least <paramref name="bytes"/> for the tenant would be refused now (the cap or the tenant's
    /// share), or null; takes nothing. Asked before an export is read and validated, so a refused one costs neither; a
    /// null answer promises nothing (<see cref="AppendAsync"/> still decides).
    /// </summary>
    public string? RefusalFor(string tenant, long bytes) =>
        PendingBytes + bytes > _options.MaxBytes ? CapRefusal : _shares.RefusalFor(tenant, bytes);

    private string CapRefusal => $"The spool holds {PendingBytes} bytes not yet in ClickHouse, at its cap of {_options.MaxBytes}.";

    /// <summary>
    /// Appends the record and completes once it is durable per the fsync policy. Throws <see cref="SpoolFullException"/>
    /// at the cap, before writing anything.
    /// </summary>
    public Task AppendAsync(SpoolRecord record)
    {
        var length = record.EncodedLength;
        if (Interlocked.Add(ref _totalBytes, length) - DrainedOnDisk > _options.MaxBytes)
        {
            Interlocked.Add(ref _totalBytes, -length);
            throw new SpoolFullException(CapRefusal);
        }

        if (_shares.TryTake(record.Tenant, record.Service, length) is { } overShare)
        {
            Interlocked.Add(ref _totalBytes, -length);
            throw new SpoolFullException(overShare);
        }

        var pending = new PendingAppend(record, length);
        if (!TryQueue(pending))
        {
            Interlocked.Add(ref _totalBytes, -length);
            throw new SpoolFullException("The spool is shutting down.");
        }

        // No cancellation once queued: the record points into the caller's request buffer, which must stay
        // valid until the write loop has copied it, and the write itself is short.
        return pending.Done.Task;
    }

    /// <summary>Completes when records are committed after this call, or at once if some are already waiting.</summary>
    public Task WaitForDataAsync() => Volatile.Read(ref _dataAvailable).Task;

    /// <summary>The sequence numbers of the segment files on disk, oldest first.</summary>
    public List<long> ListSegments() =>
        [.. System.IO.Directory.EnumerateFiles(Directory, "*" + Extension)
            .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : -1)
            .Where(seq => seq > 0)
            .Order()];

    public string SegmentPath(long seq) => Path.Combine(Directory, seq.ToString("D16", CultureInfo.InvariantCulture) + Extension);

    /// <summary>Deletes a drained segment that is no longer written to.</summary>
    public void Delete(long seq)
    {
        if (seq >= Committed.Seq)
        {
            throw new InvalidOperationException($"Segment {seq} is still being written.");
        }

        var path = SegmentPath(seq);
        var length = new FileInfo(path).Length;
        File.Delete(path);
        Interlocked.Add(ref _totalBytes, -length);

        // Its drained head left the disk with it; the drainer reports its next position in the next segment.
        if (Volatile.Read(ref _drained)?.Seq == seq)
        {
            Volatile.Write(ref _drained, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.CompleteAdding();
        await _writerDone.Task;
        _queue.Dispose();
        if (_fsyncTimer is not null)
        {
            await _fsyncTimer.DisposeAsync();
        }

        lock (_fileLock)
        {
            try
            {
                if (_active is not null)
                {
                    Seal();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Its records were synced when written; an uncut zero tail is told from records by the reader.
                IngestLog.SpoolCutFailed(_logger, SegmentPath(_activeSeq), e);
            }
        }

        _preallocator?.Dispose();
    }

    private bool TryQueue(PendingAppend pending)
    {
        try
        {
            return _queue.TryAdd(pending);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Shutting down: adding was completed.
            return false;
        }
    }

    private void WriteLoop()
    {
        var group = new List<PendingAppend>();
        var buffer = new ArrayBufferWriter<byte>(WriteChunkBytes);
        try
        {
            while (_queue.TryTake(out var first, Timeout.Infinite))
            {
                group.Add(first);
                while (group.Count < 4096 && _queue.TryTake(out var item))
                {
                    group.Add(item);
                }

                try
                {
                    WriteGroup(group, buffer);
                    Recovered();
                    var now = Stopwatch.GetTimestamp();
                    foreach (var item in group)
                    {
                        _appendDuration?.Record(Stopwatch.GetElapsedTime(item.Enqueued, now).TotalSeconds, WaitPhase);
                        item.Done.TrySetResult();
                    }
                }
                catch (Exception e)
                {
                    // Disk full, read-only, out of handles, or anything else: these exports are not durable, so they are
                    // refused with a retryable answer. The loop must survive whatever happened: a writer that died here
                    // would leave every later export waiting for ever (issue 14).
                    Refused(group.Count, e);
                    foreach (var item in group)
                    {
                        Interlocked.Add(ref _totalBytes, -item.Length);
                        _shares.Release(item.Record.Tenant, item.Record.Service, item.Length);
                        item.Done.TrySetException(new SpoolFullException("The spool cannot write to disk now: " + e.Message, e));
                    }
                }

                group.Clear();
                Interlocked.Exchange(ref _dataAvailable, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
        finally
        {
            _writerDone.TrySetResult();
        }
    }

    private void WriteGroup(List<PendingAppend> group, ArrayBufferWriter<byte> buffer)
    {
        lock (_fileLock)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                // Small records are gathered into writes of up to WriteChunkBytes; a larger record is written alone.
                buffer.ResetWrittenCount();
                foreach (var item in group)
                {
                    if (buffer.WrittenCount > 0 && (buffer.WrittenCount + item.Length > WriteChunkBytes || _activeLength >= _options.SegmentBytes))
                    {
                        _active!.Write(buffer.WrittenSpan);
                        buffer.ResetWrittenCount();
                    }

                    if (_active is null || _activeLength >= _options.SegmentBytes)
                    {
                        Roll();
                    }

                    item.Record.WriteTo(buffer.GetSpan(item.Length)[..item.Length]);
                    buffer.Advance(item.Length);
                    _activeLength += item.Length;
                }

                _active!.Write(buffer.WrittenSpan);
                var written = Stopwatch.GetTimestamp();
                _appendDuration?.Record(Stopwatch.GetElapsedTime(started, written).TotalSeconds, WritePhase);
                if (_options.Fsync == SpoolFsync.Always)
                {
                    SyncData(_active.SafeFileHandle);
                    _appendDuration?.Record(Stopwatch.GetElapsedTime(written).TotalSeconds, SyncPhase);
                }
            }
            catch
            {
                Abandon();
                throw;
            }

            _unsynced = _options.Fsync != SpoolFsync.Always;
            Volatile.Write(ref _committed, new SpoolPosition(_activeSeq, _activeLength));
        }
    }

    /// <summary>
    /// Seals the active segment (synced) and opens the next one. The segment number moves on only once the file it
    /// names exists, so a segment that cannot be created (read-only file system, no file handles) is tried again by
    /// the next write instead of leaving a closed stream behind.
    /// </summary>
    private void Roll()
    {
        if (_active is not null)
        {
            Seal();
            _activeSeq++;
            _activeLength = 0;
            Volatile.Write(ref _committed, new SpoolPosition(_activeSeq, 0));
        }

        // A prepared segment of zeros when one is ready; otherwise an empty one that grows (and its syncs commit the size).
        var path = SegmentPath(_activeSeq);
        _activePreallocated = _preallocator?.TryTake(path) == true;
        try
        {
            _active = new FileStream(path, _activePreallocated ? FileMode.Open : FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1);
        }
        catch when (_activePreallocated)
        {
            // Out of file handles, say: the prepared file must not keep the segment's name, or every later try to
            // create this segment would find it taken. It holds no records, so it goes.
            File.Delete(path);
            throw;
        }

        _activeLength = 0;
        if (_options.Fsync == SpoolFsync.Always)
        {
            // The new file's directory entry is durable before any record in it is acknowledged.
            DirectorySync.Sync(Directory);
        }
    }

    /// <summary>
    /// Closes the active segment for good: a preallocated one is cut to its records' length first (so readers and the
    /// byte counts see only records), then synced whole — its size included.
    /// </summary>
    private void Seal()
    {
        if (_activePreallocated)
        {
            _active!.SetLength(_activeLength);
        }

        _active!.Flush(flushToDisk: true);
        _active.Dispose();
        _active = null;
    }

    /// <summary>
    /// After a failed write: cuts what the refused exports left in the active segment (a partial record on a full
    /// disk) and seals it, so the drainer can finish and delete it — freeing its space — and the next write starts a
    /// new segment. Best effort: if even the cut fails, the reader skips the torn tail and logs it.
    /// </summary>
    private void Abandon()
    {
        if (_active is null)
        {
            return;
        }

        var committed = Committed;
        try
        {
            _active.SetLength(committed.Seq == _activeSeq ? committed.Offset : 0);
            _active.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            IngestLog.SpoolCutFailed(_logger, SegmentPath(_activeSeq), e);
        }

        _active = null;
        _activeSeq++;
        _activeLength = 0;
        Volatile.Write(ref _committed, new SpoolPosition(_activeSeq, 0));
    }

    private void Refused(int exports, Exception e)
    {
        lock (_stateLock)
        {
            _refusedExports += exports;
            _lastError = e.Message;
            if (_refusingSince is null)
            {
                _refusingSince = DateTimeOffset.UtcNow;
                _refusing = true;
                IngestLog.SpoolWriteFailed(_logger, exports, Directory, e);
            }
        }
    }

    private void Recovered()
    {
        if (!_refusing)
        {
            return;
        }

        lock (_stateLock)
        {
            if (_refusingSince is { } since)
            {
                IngestLog.SpoolWritesAgain(_logger, _refusedExports, DateTimeOffset.UtcNow - since);
                _refusingSince = null;
                _refusing = false;
                _refusedExports = 0;
            }
        }
    }

    private void SyncNow()
    {
        lock (_fileLock)
        {
            if (_unsynced && _active is not null)
            {
                FileDataSync.Sync(_active);
                _unsynced = false;
            }
        }
    }

    private sealed class PendingAppend(SpoolRecord record, int length)
    {
        public SpoolRecord Record { get; } = record;

        public int Length { get; } = length;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Enqueued { get; } = Stopwatch.GetTimestamp();
    }
}
