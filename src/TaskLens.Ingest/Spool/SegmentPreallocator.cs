using Microsoft.Extensions.Logging;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// Makes the spool's next segment ahead of need, on a thread of its own: a file of zeros of the segment's size, written
/// and synced, which <see cref="TryTake"/> renames into place when the active segment rolls. Appends then overwrite
/// blocks the file system has already allocated and written, so their <c>fdatasync</c> flushes the data alone: no
/// size or extent change, so no journal commit (a <c>fallocate</c>d file is not enough — its extents are "unwritten"
/// and the first write to each converts it, a metadata change). Measured in docs/ingest.md.
/// The zeros are written a MiB at a time, each synced and followed by a short pause, so filling a segment never
/// queues tens of MiB on the disk ahead of an acknowledgement's sync. They go past the page cache where the file system
/// takes it (<see cref="DirectZeros"/>): through the cache they cost as much CPU as the spool's whole append path.
/// </summary>
internal sealed class SegmentPreallocator : IDisposable
{
    public const string Extension = ".zero";
    private const int ChunkBytes = DirectZeros.Capacity;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(5);

    private readonly string _directory;
    private readonly string _path;
    private readonly long _bytes;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wanted = new(1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private volatile bool _ready;
    private volatile bool _failed;

    public SegmentPreallocator(string directory, long bytes, ILogger logger)
    {
        _directory = directory;
        _path = Path.Combine(directory, "next" + Extension);
        _bytes = bytes;
        _logger = logger;

        // A file an earlier run was making or had made: not a segment, and how far it got is unknown.
        foreach (var leftover in Directory.EnumerateFiles(directory, "*" + Extension))
        {
            File.Delete(leftover);
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "TaskLens spool preallocator" };
        _thread.Start();
    }

    /// <summary>Whether the last fill wrote past the page cache (<see cref="DirectZeros"/>); for tests.</summary>
    public bool UsedDirectWrites { get; private set; }

    /// <summary>Whether a prepared segment is waiting to be taken.</summary>
    public bool IsReady => _ready;

    /// <summary>
    /// Renames the prepared file to <paramref name="segmentPath"/> when one is ready and asks for the next; false when
    /// none is ready yet (the caller creates an empty segment that grows). Throws when the rename fails (the disk
    /// refuses: read-only, the name taken), leaving the prepared file for the next try.
    /// </summary>
    public bool TryTake(string segmentPath)
    {
        if (!_ready)
        {
            if (_failed)
            {
                _failed = false;
                _wanted.Release();
            }

            return false;
        }

        File.Move(_path, segmentPath);
        _ready = false;
        _wanted.Release();
        return true;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
        _wanted.Dispose();
        TryDelete();
    }

    private void Run()
    {
        while (true)
        {
            try
            {
                _wanted.Wait(_stop.Token);
                Fill();
                _ready = true;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A full or read-only disk: no prepared segment, so the next roll makes one that grows (and meets the
                // same disk) and asks again — tried once per roll, never in a loop that would keep a full disk full.
                IngestLog.SpoolPreallocateFailed(_logger, _directory, e.Message);
                TryDelete();
                _failed = true;
            }
        }
    }

    private void Fill()
    {
        using (var file = new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            // Unbuffered (bufferSize 1), so each write is one pwrite of the span given: aligned, as O_DIRECT needs.
            var direct = _bytes % DirectZeros.Alignment == 0 && DirectZeros.TryEnable(file.SafeFileHandle);
            UsedDirectWrites = direct;
            for (long written = 0; written < _bytes; written += ChunkBytes)
            {
                _stop.Token.ThrowIfCancellationRequested();
                var length = (int)Math.Min(ChunkBytes, _bytes - written);
                file.Write(DirectZeros.Get(length)); // one aligned block of zeros a process, for direct and buffered writes alike
                FileDataSync.Sync(file);
                _stop.Token.WaitHandle.WaitOne(Pause);
            }

            file.Flush(flushToDisk: true);
        }
    }

    private void TryDelete()
    {
        try
        {
            File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Deleted at the next start.
        }
    }
}
