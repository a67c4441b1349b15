using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// fdatasync(2) of an open file: its data, and only the metadata needed to read that data back (its size when it
/// grew), reach the disk. <see cref="FileStream.Flush(bool)"/> calls fsync(2), which also writes the inode's times —
/// on ext4 a journal commit for every append, and a commit waits for every other process's metadata changes in that
/// transaction. Into a preallocated segment (no size or extent change) fdatasync is the data alone. Off Linux the
/// caller falls back to <see cref="FileStream.Flush(bool)"/>.
/// </summary>
internal static partial class FileDataSync
{
    /// <summary>Syncs <paramref name="file"/>'s data; throws <see cref="IOException"/> when the disk refuses.</summary>
    public static void Sync(FileStream file)
    {
        if (!OperatingSystem.IsLinux())
        {
            file.Flush(flushToDisk: true);
            return;
        }

        Sync(file.SafeFileHandle);
    }

    /// <summary>Syncs the data of the open file <paramref name="handle"/>; throws <see cref="IOException"/> when the disk refuses.</summary>
    public static void Sync(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Fdatasync((int)handle.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync of a spool file failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(int fd);
}
