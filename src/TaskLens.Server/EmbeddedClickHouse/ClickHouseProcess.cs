using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TaskLens.Server.EmbeddedClickHouse;

/// <summary>
/// One clickhouse-server child process with its own config and data directory, on loopback ports.
/// Used by <see cref="EmbeddedClickHouseService"/> and by the integration tests' fixture.
/// </summary>
internal sealed partial class ClickHouseProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly string _dataPath;
    private readonly string _serverPath;
    private readonly int _httpPort;
    private readonly int _tcpPort;
    private readonly string _password;
    private Process? _process;

    /// <param name="password">The <c>default</c> user's password; empty only for throwaway test servers.</param>
    public ClickHouseProcess(string dataPath, int httpPort, int tcpPort, string serverPath, string password = "")
    {
        _dataPath = Path.GetFullPath(dataPath);
        _httpPort = httpPort;
        _tcpPort = tcpPort;
        _serverPath = serverPath;
        _password = password;
    }

    public string Url => $"http://127.0.0.1:{_httpPort}";

    private static async Task WritePrivateAsync(string path, string text, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(path, text, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public bool HasExited => _process is null || _process.HasExited;

    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>Writes the config, starts the server and waits until it answers <c>/ping</c>.</summary>
    public async Task StartAsync(TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        foreach (var sub in new[] { "data", "tmp", "user_files", "format_schemas", "log" })
        {
            Directory.CreateDirectory(Path.Combine(_dataPath, sub));
        }

        await File.WriteAllTextAsync(Path.Combine(_dataPath, "config.xml"), ClickHouseConfigFiles.Config(_dataPath, _httpPort, _tcpPort), cancellationToken);
        await WritePrivateAsync(Path.Combine(_dataPath, "users.xml"), ClickHouseConfigFiles.Users(_password), cancellationToken);
        RemoveStaleLock();

        var start = new ProcessStartInfo(ResolveServerPath(_serverPath))
        {
            ArgumentList = { "--config-file=" + Path.Combine(_dataPath, "config.xml") },
            WorkingDirectory = _dataPath,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");

        // Drain both pipes so a chatty server never blocks on a full pipe.
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + readyTimeout;
        while (!await IsReadyAsync(cancellationToken))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                var reason = _process.HasExited ? $"exited with code {_process.ExitCode}" : $"did not answer /ping within {readyTimeout.TotalSeconds:0} s";
                await StopAsync();
                throw new InvalidOperationException($"clickhouse-server {reason}. Its error log ends with:{Environment.NewLine}{ErrorLogTail()}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>SIGTERM, then SIGKILL if it has not stopped within the grace period.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            _ = SendSignal(process.Id, Sigterm);
            using var grace = new CancellationTokenSource(StopGrace);
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        process.Dispose();
        _process = null;
    }

    /// <summary>SIGKILL without a chance to clean up, as a crash would; for supervision tests.</summary>
    public void KillHard() => _process?.Kill(entireProcessTree: true);

    public Task WaitForExitAsync(CancellationToken cancellationToken) =>
        _process?.WaitForExitAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync() => await StopAsync();

    public string ErrorLogTail()
    {
        var file = Path.Combine(_dataPath, "log", "server.err.log");
        if (!File.Exists(file))
        {
            return "(no error log)";
        }

        var lines = File.ReadAllLines(file);
        return string.Join(Environment.NewLine, lines.Skip(Math.Max(0, lines.Length - 20)));
    }

    private async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(Url + "/ping"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// ClickHouse keeps a <c>status</c> file with its pid in the data path; after a crash a new server refuses
    /// the directory while that file names a live process. Remove it when the process it names is gone.
    /// </summary>
    private void RemoveStaleLock()
    {
        var status = Path.Combine(_dataPath, "data", "status");
        if (!File.Exists(status))
        {
            return;
        }

        var pidLine = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("PID:", StringComparison.Ordinal));
        if (pidLine is null || !int.TryParse(pidLine["PID:".Length..].Trim(), out var pid) || !IsAlive(pid))
        {
            File.Delete(status);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && process.ProcessName.Contains("clickhouse", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>A bare name is looked up on PATH and in /usr/sbin, where Debian puts clickhouse-server.</summary>
    private static string ResolveServerPath(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/sbin").Append("/usr/bin");
        return directories.Select(d => Path.Combine(d, path)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{path} was not found on PATH or in /usr/sbin. Install it: apt-get install clickhouse-server");
    }

    private const int Sigterm = 15;

    // Process.Kill sends SIGKILL; ClickHouse flushes and releases its lock only on SIGTERM.
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
