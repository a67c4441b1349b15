namespace TaskLens.IntegrationTests.Cluster;

/// <summary>One shard, two replicas.</summary>
public sealed class ReplicatedClusterFixture : ClickHouseClusterFixture
{
    protected override IReadOnlyList<(int Shard, int Replica)> Layout { get; } = [(1, 1), (1, 2)];
}
