using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Cluster;

/// <summary>
/// A standalone ZooKeeper from Debian's <c>zookeeperd</c> package (installed by <c>./build.sh</c>), started by the test
/// itself on a free loopback port with its own data directory — never the system service — and its admin web server
/// off (it would take port 8080).
/// </summary>
internal sealed class ZooKeeperProcess : IAsyncDisposable
{
    private const string Jar = "/usr/share/java/zookeeper.jar";
    private readonly string _directory;
    private readonly Process _process;

    private ZooKeeperProcess(string directory, int port, Process process)
    {
        _directory = directory;
        Port = port;
        _process = process;
    }

    public int Port { get; }

    public static async Task<ZooKeeperProcess> StartAsync(string directory)
    {
        Assert.True(File.Exists(Jar), $"{Jar} is missing: install ZooKeeper with ./build.sh test, or apt-get install zookeeperd");
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        var port = FreePorts.Take(1)[0];
        var config = Path.Combine(directory, "zoo.cfg");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            tickTime=500
            dataDir={Path.Combine(directory, "data")}
            clientPort={port}
            clientPortAddress=127.0.0.1
            admin.enableServer=false
            4lw.commands.whitelist=srvr
            """));
        var start = new ProcessStartInfo("java")
        {
            WorkingDirectory = directory,
            ArgumentList =
            {
                "-Xmx128m",
                "-Dzookeeper.log.dir=" + directory,
                "-cp", "/etc/zookeeper/conf:" + Jar,
                "org.apache.zookeeper.server.ZooKeeperServerMain",
                config,
            },
        };
        var zooKeeper = new ZooKeeperProcess(directory, port, ChildProcess.StartQuiet(start));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await zooKeeper.IsOkAsync())
        {
            Assert.False(zooKeeper._process.HasExited, $"ZooKeeper exited with code {(zooKeeper._process.HasExited ? zooKeeper._process.ExitCode : 0)}");
            Assert.True(DateTime.UtcNow < deadline, "ZooKeeper did not serve within 60 s ('srvr' without 'Mode:')");
            await Task.Delay(200);
        }

        return zooKeeper;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    /// <summary>
    /// Whether ZooKeeper serves sessions: its <c>srvr</c> word names the mode once it does. (<c>ruok</c> answers "imok"
    /// a moment earlier, while session handshakes are still closed — and ClickHouse 18.16 can crash on a query that
    /// needs ZooKeeper right after such a failed handshake.)
    /// </summary>
    private async Task<bool> IsOkAsync()
    {
        // A ZooKeeper still starting can accept the connection and never answer nor close it: each probe is bounded.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("srvr"u8.ToArray(), timeout.Token);
            using var reader = new StreamReader(stream);
            return (await reader.ReadToEndAsync(timeout.Token)).Contains("Mode: ", StringComparison.Ordinal);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
