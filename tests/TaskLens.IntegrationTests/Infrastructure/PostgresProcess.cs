using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace TaskLens.IntegrationTests.Infrastructure;

/// <summary>
/// A real PostgreSQL 15 server (Debian's <c>postgresql</c>) for one test class: its own data directory, a free
/// loopback port, password authentication, no Unix socket outside the directory. PostgreSQL refuses to run as root,
/// so under root the server, and <c>initdb</c>, run as the <c>postgres</c> user (<c>runuser</c>), which owns the directory.
/// </summary>
internal sealed class PostgresProcess : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string ServiceUser = "postgres";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-pg-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private Process? _server;

    public int Port { get; } = FreePorts.Take(1)[0];

    /// <summary>A connection string to <paramref name="database"/> (create it with <see cref="CreateDatabaseAsync"/>).</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "tasklens",
            Password = _password,
            Database = database,
            Pooling = true,
        }.ToString();

    private static bool IsRoot => Environment.UserName == "root";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_directory);
        var passwordFile = Path.Combine(_directory, "password");
        await File.WriteAllTextAsync(passwordFile, _password, cancellationToken);
        if (IsRoot)
        {
            await RunAsync("chown", ["-R", ServiceUser + ":" + ServiceUser, _directory], cancellationToken);
        }

        await RunAsync(Path.Combine(BinDirectory, "initdb"),
            ["-D", Data, "-U", "tasklens", "--pwfile=" + passwordFile, "--auth=scram-sha-256", "-E", "UTF8", "--no-sync", "--locale=C"],
            cancellationToken, asService: true);
        File.Delete(passwordFile);
        _server = ChildProcess.StartQuiet(Start(Path.Combine(BinDirectory, "postgres"),
        [
            "-D", Data, "-p", Port.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=" + _directory, "-c", "fsync=off", "-c", "max_connections=200",
        ], asService: true));
        await WaitReadyAsync(cancellationToken);
    }

    /// <summary>A fresh database for one test, named after it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = prefix + "_" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file the server still held on its way out: the temporary directory is cleaned by the system.
        }
    }

    private string Data => Path.Combine(_directory, "data");

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString());
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && _server is { HasExited: false })
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    private static ProcessStartInfo Start(string program, IReadOnlyList<string> arguments, bool asService)
    {
        var start = new ProcessStartInfo(asService && IsRoot ? "runuser" : program) { UseShellExecute = false };
        if (asService && IsRoot)
        {
            foreach (var a in new[] { "-u", ServiceUser, "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken, bool asService = false)
    {
        var start = Start(program, arguments, asService);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
