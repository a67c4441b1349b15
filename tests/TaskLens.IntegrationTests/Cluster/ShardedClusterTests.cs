using System.Net;
using TaskLens.IntegrationTests.Ingest;
using TaskLens.Storage.ClickHouse;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.IntegrationTests.Cluster;

/// <summary>
/// Two TaskLens nodes over two shards: rows spread over both by the Distributed tables (a trace on one shard), one
/// shard stopped in the middle of ingest, a goal run whose spans reached both nodes, and retention on both shards.
/// </summary>
public sealed class ShardedClusterTests(ShardedClusterFixture cluster) : ClusterRetentionTests<ShardedClusterFixture>(cluster), IClassFixture<ShardedClusterFixture>
{
    private const int Children = 12;

    [Fact]
    public async Task Ingest_TwoNodesWithAShardStoppedMidway_EveryAcknowledgedSpanOnceAndEachTraceOnOneShard()
    {
        await using var nodes = await TwoNodes.StartAsync(Cluster);

        var spans = await nodes.IngestWhileStoppingAsync(Cluster, server: 1, service: "shards");

        await spans.AssertEachStoredOnceAsync(Cluster.Urls[0], nodes.Database);
        await spans.AssertEachStoredOnceAsync(Cluster.Urls[1], nodes.Database);
        var perShard = new List<(ulong Spans, ulong Traces)>();
        for (var server = 0; server < 2; server++)
        {
            using var client = Cluster.CreateClient(server, nodes.Database);
            perShard.Add((await client.QueryAsync(
                $"SELECT count() AS n, uniqExact(trace_id) AS t FROM spans_local FINAL WHERE service_name = {ClickHouseSql.Literal(spans.Service)}",
                r => (r.GetUInt64("n"), r.GetUInt64("t")),
                CancellationToken.None)).Single());
        }

        Assert.All(perShard, shard => Assert.True(shard.Spans > 0, "a shard got no spans"));
        Assert.Equal((ulong)spans.Count, perShard[0].Spans + perShard[1].Spans);
        Assert.Equal((ulong)nodes.Exports.Count, perShard[0].Traces + perShard[1].Traces);
        await nodes.AssertTracesReadWholeThroughBothNodesAsync();
    }

    /// <summary>
    /// Half an agent's sub-tasks reach node B first, then its goal span and the other half node A. Node B cannot finalize
    /// a run without the goal span, and its one ask for the stored run comes before A stored any; node A holds only
    /// half the spans when the run falls due, so only by asking ClickHouse does it see the rest. One run, whole, read
    /// the same through either node.
    /// </summary>
    [Fact]
    public async Task GoalRun_SpansSplitOverTwoNodes_IsFinalizedOnceFromAllSpans()
    {
        await using var nodes = await TwoNodes.StartAsync(Cluster, new Dictionary<string, string?>
        {
            ["TaskLens:Goals:QuietPeriod"] = "00:00:02",
            ["TaskLens:Goals:SweepInterval"] = "00:00:00.200",
        });
        var traceId = Guid.NewGuid().ToByteArray();
        var start = (ulong)DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeMilliseconds() * 1_000_000;
        var (a, b) = (nodes.Nodes[0], nodes.Nodes[1]);

        await PostAsync(b, AgentSpans(traceId, start, withGoalSpan: false, Enumerable.Range(2, Children / 2)));
        await b.WaitForStoredAsync();
        await Task.Delay(500);
        await PostAsync(a, AgentSpans(traceId, start, withGoalSpan: true, Enumerable.Range(2 + (Children / 2), Children / 2)));

        foreach (var node in nodes.Nodes)
        {
            using var runs = await node.GetUntilAsync(
                "/api/goals/cross-node/runs",
                d => d.RootElement.GetProperty("runs").GetArrayLength() == 1
                    && d.RootElement.GetProperty("runs")[0].GetProperty("subTasks").GetProperty("total").GetInt32() == Children);
            var run = runs.RootElement.GetProperty("runs")[0];
            Assert.Equal(Convert.ToHexStringLower(traceId), run.GetProperty("runId").GetString());
            Assert.Equal("completed", run.GetProperty("outcome").GetString());
            Assert.Equal(Children, run.GetProperty("subTasks").GetProperty("llm").GetInt32());
            Assert.Equal(Children + 1, run.GetProperty("version").GetInt32());
            Assert.Equal(Children, run.GetProperty("fanOut").GetInt32());
        }
    }


    private static async Task PostAsync(Infrastructure.TaskLensHost node, byte[] export)
    {
        using var response = await OtlpClient.PostHttpAsync(node.HttpTracesEndpoint, export);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>An <c>invoke_agent</c> goal span (id 1) if asked, and LLM calls under it with the given span ids.</summary>
    private static byte[] AgentSpans(byte[] traceId, ulong start, bool withGoalSpan, IEnumerable<int> children)
    {
        static byte[] Id(int id) => BitConverter.GetBytes((ulong)id);
        static Action<ProtoBuilder> Text(string key, string value) => Otlp.Attribute(key, v => v.StringField(1, value));
        var spans = new List<Action<ProtoBuilder>>();
        if (withGoalSpan)
        {
            spans.Add(s => s.BytesField(1, traceId).BytesField(2, Id(1)).StringField(5, "invoke_agent cross-node")
                .Fixed64Field(7, start).Fixed64Field(8, start + 2_000_000_000)
                .MessageField(9, Text("gen_ai.operation.name", "invoke_agent")).MessageField(9, Text("gen_ai.agent.name", "cross-node")));
        }

        foreach (var child in children)
        {
            var at = start + ((ulong)child * 10_000_000);
            spans.Add(s => s.BytesField(1, traceId).BytesField(2, Id(child)).BytesField(4, Id(1)).StringField(5, "chat gpt-4o")
                .Fixed64Field(7, at).Fixed64Field(8, at + 100_000_000)
                .MessageField(9, Text("gen_ai.operation.name", "chat")).MessageField(9, Text("gen_ai.request.model", "gpt-4o")));
        }

        return Otlp.Request("agents", [.. spans]);
    }
}
