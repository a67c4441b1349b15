namespace TaskLens.IntegrationTests.Cluster;

/// <summary>Two shards, one replica each.</summary>
public sealed class ShardedClusterFixture : ClickHouseClusterFixture
{
    protected override IReadOnlyList<(int Shard, int Replica)> Layout { get; } = [(1, 1), (2, 1)];
}
