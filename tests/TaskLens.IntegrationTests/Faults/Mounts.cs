using System.Diagnostics;

namespace TaskLens.IntegrationTests.Faults;

/// <summary>
/// File systems a fault-injection test makes and removes itself: a small tmpfs (a disk that fills up) and a read-only
/// bind mount over a directory (a disk that refuses new files while open files still take writes). Mounting needs
/// root, as CI runs; a test run without it fails with a message that says so rather than passing untested.
/// </summary>
internal sealed class Mounts : IDisposable
{
    private readonly List<string> _mounted = [];
    private readonly List<string> _created = [];

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> at a new directory and returns its path.</summary>
    public string Tmpfs(long bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), "tasklens-tmpfs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        _created.Add(path);
        Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", path);
        _mounted.Add(path);
        return path;
    }

    /// <summary>
    /// Makes <paramref name="directory"/> read-only for new files until <see cref="Unmount"/>. Files opened before stay
    /// writable (they belong to the mount beneath). Making the bind read-only fails while a file is open for writing
    /// through it — TaskLens may write its checkpoint in that instant — so that is tried again.
    /// </summary>
    public void ReadOnly(string directory)
    {
        for (var attempt = 1; ; attempt++)
        {
            Run("mount", "--bind", directory, directory);
            if (TryRun("mount", "-o", "remount,ro,bind", directory) is not { } error)
            {
                _mounted.Add(directory);
                return;
            }

            Run("umount", directory);
            Assert.True(attempt < 50, $"mount -o remount,ro,bind {directory} kept failing: {error}");
            Thread.Sleep(20);
        }
    }

    public void Unmount(string path)
    {
        Run("umount", path);
        _mounted.Remove(path);
    }

    public void Dispose()
    {
        for (var i = _mounted.Count - 1; i >= 0; i--)
        {
            // Lazy: a file TaskLens still holds open must not leave the mount behind.
            Run("umount", "-l", _mounted[i]);
        }

        _mounted.Clear();
        foreach (var path in _created)
        {
            Directory.Delete(path, recursive: true);
        }

        _created.Clear();
    }

    private static void Run(string file, params string[] arguments)
    {
        var error = TryRun(file, arguments);
        Assert.True(
            error is null,
            $"{file} {string.Join(' ', arguments)} failed ({error}); the fault-injection tests mount file systems and must run as root, as CI does.");
    }

    /// <summary>Null when the command succeeded, else what it said.</summary>
    private static string? TryRun(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : error.Trim();
    }
}
