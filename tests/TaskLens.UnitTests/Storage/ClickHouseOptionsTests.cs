using TaskLens.Storage.ClickHouse;

namespace TaskLens.UnitTests.Storage;

public sealed class ClickHouseOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(new ClickHouseOptions().Validate());

    [Fact]
    public void Validate_ManyMistakes_ListsEveryOne()
    {
        var options = new ClickHouseOptions
        {
            Url = "ftp://x",
            Database = "bad-name",
            RequestTimeout = TimeSpan.Zero,
            MaxRetries = -1,
            FlushMaxSpans = 0,
            EmbeddedHttpPort = 70000,
        };

        var errors = options.Validate();

        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.Contains("Url", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Database", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("EmbeddedHttpPort", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ClusterWithoutUrlOrWithBadName_SaysBoth()
    {
        var errors = new ClickHouseOptions { Cluster = "two-nodes", ReplicationPath = "clickhouse/'x'/" }.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Cluster 'two-nodes'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Cluster needs Url", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ReplicationPath", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ClusterWithUrl_IsValid_AndAnEmptyClusterIsNone()
    {
        Assert.Empty(new ClickHouseOptions { Cluster = "tasklens", Url = "http://ch1:8123" }.Validate());
        Assert.False(new ClickHouseOptions { Cluster = "" }.IsCluster);
        Assert.Empty(new ClickHouseOptions { Cluster = "" }.Validate());
    }
}
