using TaskLens.Storage.ClickHouse;

namespace TaskLens.IntegrationTests.Cluster;

/// <summary>
/// Two TaskLens nodes over one shard of two replicas (ZooKeeper, ReplicatedMergeTree, Distributed), one replica
/// stopped in the middle of ingest: the node writing to it spools, the other keeps writing to its replica, and once the
/// replica is back every acknowledged span is there once — on each replica, and read through either node. Retention
/// drops old days on both replicas.
/// </summary>
public sealed class ReplicatedClusterTests(ReplicatedClusterFixture cluster) : ClusterRetentionTests<ReplicatedClusterFixture>(cluster), IClassFixture<ReplicatedClusterFixture>
{
    [Fact]
    public async Task Ingest_TwoNodesWithAReplicaStoppedMidway_EveryAcknowledgedSpanOnceOnEachReplica()
    {
        await using var nodes = await TwoNodes.StartAsync(Cluster);

        var spans = await nodes.IngestWhileStoppingAsync(Cluster, server: 1, service: "replicas");

        for (var server = 0; server < 2; server++)
        {
            await spans.AssertEachStoredOnceAsync(Cluster.Urls[server], nodes.Database);

            // The replica that was stopped fetches the parts it missed from the other one; wait for it to converge.
            using var client = Cluster.CreateClient(server, nodes.Database);
            var deadline = DateTime.UtcNow.AddSeconds(90);
            (ulong Rows, ulong Distinct) local;
            do
            {
                local = (await client.QueryAsync(
                    $"SELECT count() AS n, uniqExact(span_id) AS d FROM spans_local FINAL WHERE service_name = {ClickHouseSql.Literal(spans.Service)}",
                    r => (r.GetUInt64("n"), r.GetUInt64("d")),
                    CancellationToken.None)).Single();
                await Task.Delay(local.Rows == (ulong)spans.Count ? 0 : 500);
            }
            while (local.Rows != (ulong)spans.Count && DateTime.UtcNow < deadline);

            Assert.Equal(((ulong)spans.Count, (ulong)spans.Count), local);
        }

        await nodes.AssertTracesReadWholeThroughBothNodesAsync();
    }
}
