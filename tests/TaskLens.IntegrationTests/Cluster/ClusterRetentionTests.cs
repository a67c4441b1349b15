namespace TaskLens.IntegrationTests.Cluster;

/// <summary>
/// Retention and the move to day partitions over a cluster, run on each cluster fixture (two replicas of one shard, two
/// shards) by the test classes deriving from this one. See <see cref="ClusterRetention"/>.
/// </summary>
public abstract class ClusterRetentionTests<TFixture>(TFixture cluster)
    where TFixture : ClickHouseClusterFixture
{
    protected TFixture Cluster { get; } = cluster;

    [Fact]
    public async Task Retention_OldDaysOnEveryServer_DroppedOnCluster_RecentDataAndOpenIncidentsKept()
    {
        await using var retention = new ClusterRetention(Cluster);

        await retention.AssertRetentionOnEveryServerAsync();
    }

    [Fact]
    public async Task DailyPartitions_ClusterTableStillByMonth_MovesToDaysOnEveryServerWithEveryRow()
    {
        await using var retention = new ClusterRetention(Cluster);

        await retention.AssertMonthlyTableMovesToDaysOnEveryServerAsync();
    }
}
