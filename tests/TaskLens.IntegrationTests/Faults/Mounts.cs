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

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> at a new directory and returns its path.</summary>
    public string Tmpfs(long bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), "tasklens-tmpfs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", path);
        _mounted.Add(path);
        return path;
    }

    /// <summary>Makes <paramref name="directory"/> read-only for new files until <see cref="Unmount"/>.</summary>
    public void ReadOnly(string directory)
    {
        Run("mount", "--bind", directory, directory);
        _mounted.Add(directory);
        Run("mount", "-o", "remount,ro,bind", directory);
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
    }

    private static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(
            process.ExitCode == 0,
            $"{file} {string.Join(' ', arguments)} failed ({error.Trim()}); the fault-injection tests mount file systems and must run as root, as CI does.");
    }
}
