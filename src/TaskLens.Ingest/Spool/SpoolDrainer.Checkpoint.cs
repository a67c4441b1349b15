using System.Globalization;

namespace TaskLens.Ingest.Spool;

/// <summary>The drainer's durable position: the checkpoint file, and the segments it has passed.</summary>
internal sealed partial class SpoolDrainer
{
    private SpoolPosition LoadCheckpoint()
    {
        try
        {
            var parts = File.ReadAllText(CheckpointPath).Split(' ');
            return new SpoolPosition(long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            // No checkpoint (or a damaged one): replay from the oldest segment; duplicates fold in ClickHouse.
            return new SpoolPosition(0, 0);
        }
    }

    /// <summary>
    /// Written by rename so it is whole or absent; with <see cref="SpoolFsync.Always"/> the file and the rename are
    /// synced. A checkpoint that cannot be written (disk full) is logged and tried again at the next step: losing it only
    /// means replaying more, and the drainer must not stop over it (a background service that threw stopped the host).
    /// </summary>
    private void SaveCheckpoint(SpoolPosition position)
    {
        Volatile.Write(ref _position, position);
        spool.ReportDrained(position);
        var temporary = CheckpointPath + ".tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                file.Write(System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{position.Seq} {position.Offset}")));
                file.Flush(flushToDisk: _options.Fsync == SpoolFsync.Always);
            }

            File.Move(temporary, CheckpointPath, overwrite: true);
            if (_options.Fsync == SpoolFsync.Always)
            {
                DirectorySync.Sync(spool.Directory);
            }

            _faults.Succeeded(CheckpointAction);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _faults.Failed(CheckpointAction, e);
        }
    }

    /// <summary>Deletes segments the cursor has passed; one that cannot be deleted now (read-only disk) is tried again next time.</summary>
    private void DeleteDrained(List<long> segments, SpoolPosition cursor)
    {
        foreach (var seq in segments)
        {
            if (seq >= cursor.Seq || seq >= spool.Committed.Seq)
            {
                break;
            }

            try
            {
                spool.Delete(seq);
                _faults.Succeeded(DeleteAction);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _faults.Failed(DeleteAction, e);
                return;
            }
        }
    }

    private string CheckpointPath => Path.Combine(spool.Directory, "checkpoint");
}
