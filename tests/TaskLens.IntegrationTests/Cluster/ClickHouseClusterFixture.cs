using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Server.EmbeddedClickHouse;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.IntegrationTests.Cluster;

/// <summary>
/// A ClickHouse cluster on loopback: one ZooKeeper and a clickhouse-server per (shard, replica), each with the
/// <c>config.d/cluster.xml</c> docs/operations.md describes (ZooKeeper, macros, the cluster in remote_servers,
/// interserver port, distributed DDL). Servers can be stopped and started again by the tests.
/// </summary>
public abstract class ClickHouseClusterFixture : IAsyncLifetime
{
    public const string ClusterName = "tasklens";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-cluster-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<ClickHouseProcess> _servers = [];
    private readonly List<string> _urls = [];
    private ZooKeeperProcess? _zooKeeper;

    /// <summary>The (shard, replica) of each server, in order.</summary>
    protected abstract IReadOnlyList<(int Shard, int Replica)> Layout { get; }

    public IReadOnlyList<string> Urls => _urls;

    public async Task InitializeAsync()
    {
        _zooKeeper = await ZooKeeperProcess.StartAsync(Path.Combine(_directory, "zookeeper"));
        var ports = Infrastructure.FreePorts.Take(Layout.Count * 3);
        var remoteServers = RemoteServers(Layout, ports);
        for (var i = 0; i < Layout.Count; i++)
        {
            var path = Path.Combine(_directory, "ch" + (i + 1).ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(Path.Combine(path, "config.d"));
            await File.WriteAllTextAsync(
                Path.Combine(path, "config.d", "cluster.xml"),
                ClusterConfig(Layout[i], i + 1, ports[(i * 3) + 2], _zooKeeper.Port, remoteServers));
            _servers.Add(new ClickHouseProcess(path, ports[i * 3], ports[(i * 3) + 1], "clickhouse-server"));
            _urls.Add(_servers[i].Url);
        }

        await Task.WhenAll(_servers.Select(s => s.StartAsync(TimeSpan.FromSeconds(90), CancellationToken.None)));

        // Each server's ZooKeeper session, so tests time TaskLens rather than the servers' warm-up.
        for (var i = 0; i < _servers.Count; i++)
        {
            using var client = CreateClient(i, "default");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    await client.QueryAsync("SELECT count() AS n FROM system.zookeeper WHERE path = '/'", r => r.GetUInt64("n"), CancellationToken.None);
                    break;
                }
                catch (ClickHouseException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(500);
                }
            }
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        if (_zooKeeper is not null)
        {
            await _zooKeeper.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    /// <summary>SIGTERM to one server, as an operator stopping it (or a crash the replicas must survive).</summary>
    internal Task StopAsync(int server) => _servers[server].StopAsync();

    internal Task StartAsync(int server) => _servers[server].StartAsync(TimeSpan.FromSeconds(90), CancellationToken.None);

    internal ClickHouseClient CreateClient(int server, string database) =>
        new(
            new HttpClient(ClickHouseClient.CreateHandler()),
            new ClickHouseOptions { Url = _urls[server], Database = database, MaxRetries = 2 },
            NullLogger<ClickHouseClient>.Instance);

    private static string RemoteServers(IReadOnlyList<(int Shard, int Replica)> layout, int[] ports)
    {
        var xml = new StringBuilder();
        foreach (var shard in layout.Select(s => s.Shard).Distinct())
        {
            xml.Append("<shard><internal_replication>true</internal_replication>");
            for (var i = 0; i < layout.Count; i++)
            {
                if (layout[i].Shard == shard)
                {
                    xml.Append(CultureInfo.InvariantCulture, $"<replica><host>127.0.0.1</host><port>{ports[(i * 3) + 1]}</port></replica>");
                }
            }

            xml.Append("</shard>");
        }

        return xml.ToString();
    }

    private static string ClusterConfig((int Shard, int Replica) place, int number, int interserverPort, int zooKeeperPort, string remoteServers) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            <?xml version="1.0"?>
            <yandex>
                <interserver_http_host>127.0.0.1</interserver_http_host>
                <interserver_http_port>{interserverPort}</interserver_http_port>
                <zookeeper>
                    <node><host>127.0.0.1</host><port>{zooKeeperPort}</port></node>
                    <session_timeout_ms>10000</session_timeout_ms>
                </zookeeper>
                <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
                <macros>
                    <shard>{place.Shard:00}</shard>
                    <replica>ch{number}</replica>
                </macros>
                <remote_servers>
                    <{ClusterName}>{remoteServers}</{ClusterName}>
                </remote_servers>
            </yandex>
            """);
}
