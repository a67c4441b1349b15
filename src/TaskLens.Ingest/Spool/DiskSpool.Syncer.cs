using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// Pipelined group commit (<see cref="SpoolFsync.Always"/>): the writer thread hands each group it has written to this
/// syncer thread and goes on to write the next group while the sync runs, instead of waiting for it. One
/// <c>fdatasync</c> is in flight at a time; when it returns, every group written before it started is on disk and is
/// acknowledged, and the next sync covers whatever was written meanwhile. So an export that arrives while a group
/// syncs is written at once and waits only for the rest of that sync and its own (issue 20 item 6: the durable stage's
/// <c>wait</c> was a group ahead's write and sync plus its own).
/// Durability is unchanged: an export is acknowledged only after a sync that began after its record was written, and
/// in order — the committed position, where readers stop, moves only to the end of what that sync covered. A failed
/// sync refuses its groups and every group written after them; the writer then cuts the segment back to the committed
/// position and seals it (<see cref="Abandon"/>), as for a failed write.
/// </summary>
internal sealed partial class DiskSpool
{
    // A plain object, not a Lock: the writer waits on it (Monitor.Wait) for the syncer to drain.
    private readonly object _syncGate = new();
    private readonly Thread? _syncThread;
    private List<PendingAppend> _toSync = [];
    private SpoolPosition? _toSyncEnd;
    private SafeFileHandle? _toSyncFile;
    private bool _syncInFlight;
    private bool _syncFailed;
    private bool _writerStopped;

    /// <summary>Writer thread, holding the file lock: the group is written; the syncer makes it durable and acknowledges it.</summary>
    private void HandToSyncer(List<PendingAppend> group)
    {
        lock (_syncGate)
        {
            _toSync.AddRange(group);
            _toSyncEnd = new SpoolPosition(_activeSeq, _activeLength);
            _toSyncFile = _activeHandle;
            Monitor.Pulse(_syncGate);
        }
    }

    /// <summary>Whether a sync of the active segment failed since the writer last drained the syncer.</summary>
    private bool SyncFailed
    {
        get
        {
            lock (_syncGate)
            {
                return _syncFailed;
            }
        }
    }

    /// <summary>
    /// Writer thread: waits until every group handed over is synced or refused, so the active segment can be sealed or
    /// cut; false if a sync failed (its groups and those after it were refused, so the segment must be cut back to
    /// <see cref="Committed"/>, not sealed).
    /// </summary>
    private bool WaitForSyncs()
    {
        if (_syncThread is null)
        {
            return true;
        }

        lock (_syncGate)
        {
            while (_toSync.Count > 0 || _syncInFlight)
            {
                Monitor.Wait(_syncGate);
            }

            var failed = _syncFailed;
            _syncFailed = false;
            return !failed;
        }
    }

    /// <summary>Writer thread, on its way out: the syncer finishes what it was handed, then stops.</summary>
    private void StopSyncer()
    {
        if (_syncThread is null)
        {
            return;
        }

        lock (_syncGate)
        {
            _writerStopped = true;
            Monitor.Pulse(_syncGate);
        }

        _syncThread.Join();
    }

    private void SyncLoop()
    {
        var batch = new List<PendingAppend>();
        while (true)
        {
            SpoolPosition end;
            SafeFileHandle file;
            bool refuse;
            lock (_syncGate)
            {
                while (_toSync.Count == 0)
                {
                    if (_writerStopped)
                    {
                        return;
                    }

                    Monitor.Wait(_syncGate);
                }

                (batch, _toSync) = (_toSync, batch);
                end = _toSyncEnd!;
                file = _toSyncFile!;
                refuse = _syncFailed;
                _syncInFlight = true;
            }

            Exception? error = null;
            if (refuse)
            {
                // Written after a sync that failed: whatever this sync would say, the records before them may be lost.
                error = new IOException("An earlier sync of this spool segment failed.");
            }
            else
            {
                // The writer seals or cuts this segment only after waiting for this sync, so the handle stays open.
                var started = Stopwatch.GetTimestamp();
                try
                {
                    SyncData(file);
                    _appendDuration?.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, SyncPhase);
                    Volatile.Write(ref _committed, end);
                }
                catch (Exception e)
                {
                    error = e;
                }
            }

            if (error is null)
            {
                Acknowledge(batch);
            }
            else
            {
                RefuseAll(batch, error);
            }

            batch.Clear();
            lock (_syncGate)
            {
                _syncFailed |= error is not null;
                _syncInFlight = false;
                Monitor.PulseAll(_syncGate);
            }
        }
    }
}
