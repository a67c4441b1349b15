using System.Net;
using System.Text.Json;
using TaskLens.IntegrationTests.Faults;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Cluster;

/// <summary>
/// Two TaskLens nodes in cluster mode, node i talking to server i of the cluster, each with its own spool and state,
/// sharing nothing but ClickHouse. They start together, so both run the schema steps at once.
/// </summary>
internal sealed class TwoNodes : IAsyncDisposable
{
    private TwoNodes(string database, TaskLensHost[] nodes)
    {
        Database = database;
        Nodes = nodes;
    }

    public string Database { get; }

    public IReadOnlyList<TaskLensHost> Nodes { get; }

    public static async Task<TwoNodes> StartAsync(ClickHouseClusterFixture cluster, IDictionary<string, string?>? settings = null)
    {
        var database = "c_" + Guid.NewGuid().ToString("N")[..12];
        Task<TaskLensHost> Start(int server)
        {
            var work = Path.Combine(Path.GetTempPath(), $"tasklens-{database}-node{server}");
            var config = new Dictionary<string, string?>
            {
                ["TaskLens:ClickHouse:Cluster"] = ClickHouseClusterFixture.ClusterName,
                ["TaskLens:ClickHouse:RequestTimeout"] = "00:00:10",

                // Back to a restarted server within a second, not the default backoff's half minute.
                ["TaskLens:Spool:MaxRetryDelay"] = "00:00:01",
                ["TaskLens:Spool:Path"] = Path.Combine(work, "spool"),
                ["TaskLens:State:Path"] = Path.Combine(work, "state.db"),
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                config[key] = value;
            }

            return TaskLensHost.StartAsync(cluster.Urls[server], database, config);
        }

        return new TwoNodes(database, await Task.WhenAll(Start(0), Start(1)));
    }

    /// <summary>
    /// Both nodes take exports at once (each its own stream of traces) while <paramref name="server"/> of the cluster is
    /// stopped part-way and started again: about 2 s of ingest, 4 s without the server, 2 s after. Returns what was
    /// acknowledged once both spools have drained into ClickHouse.
    /// </summary>
    public async Task<AcknowledgedSpans> IngestWhileStoppingAsync(ClickHouseClusterFixture cluster, int server, string service)
    {
        var spans = new AcknowledgedSpans(service, tracePerExport: true);
        using var stop = new CancellationTokenSource();
        var senders = Nodes.Select(node => Task.Run(async () =>
        {
            var exports = new List<AcknowledgedSpans.Export>();
            while (!stop.IsCancellationRequested)
            {
                var export = spans.Next(spans: 20, padding: 40);
                await spans.SendUntilAcknowledgedAsync(node.HttpTracesEndpoint, export);
                exports.Add(export);
                await Task.Delay(50);
            }

            return exports;
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        await cluster.StopAsync(server);
        await Task.Delay(TimeSpan.FromSeconds(4));
        await cluster.StartAsync(server);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        Exports = (await Task.WhenAll(senders)).SelectMany(e => e).ToList();

        foreach (var node in Nodes)
        {
            await node.WaitForStoredAsync(TimeSpan.FromSeconds(90));
        }

        return spans;
    }

    /// <summary>The exports <see cref="IngestWhileStoppingAsync"/> sent, every one acknowledged.</summary>
    public IReadOnlyList<AcknowledgedSpans.Export> Exports { get; private set; } = [];

    /// <summary>
    /// Every fifth trace (the counts above cover every span), read through either node's API, holds exactly its export's
    /// spans. Trace by id reads the trace-ordered tables (<c>trace_index</c>, <c>spans_by_trace</c>), which a replica
    /// that was stopped fetches apart from <c>spans_local</c>, and a Distributed read may pick that replica: each trace
    /// is read again until it is whole, for at most 90 s in all (as the counts above wait for <c>spans_local</c>).
    /// </summary>
    public async Task AssertTracesReadWholeThroughBothNodesAsync()
    {
        Assert.NotEmpty(Exports);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        foreach (var node in Nodes)
        {
            foreach (var export in Exports.Where((_, i) => i % 5 == 0))
            {
                var (status, ids) = await ReadTraceAsync(node, export.TraceId);
                while ((status != HttpStatusCode.OK || ids.Count != export.SpanIds.Length) && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(500);
                    (status, ids) = await ReadTraceAsync(node, export.TraceId);
                }

                Assert.Equal(HttpStatusCode.OK, status);
                Assert.Equal(export.SpanIds.Length, ids.Count);
                Assert.Equal(ids.Count, ids.Distinct().Count());
            }
        }
    }

    private static async Task<(HttpStatusCode Status, List<string?> SpanIds)> ReadTraceAsync(TaskLensHost node, string traceId)
    {
        using var response = await node.Api.GetAsync(new Uri($"/api/traces/{traceId}", UriKind.Relative));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, []);
        }

        using var trace = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, trace.RootElement.GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("spanId").GetString()).ToList());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
