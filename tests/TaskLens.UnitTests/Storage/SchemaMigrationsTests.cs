using TaskLens.Storage.Schema;

namespace TaskLens.UnitTests.Storage;

public sealed class SchemaMigrationsTests
{
    private static readonly IReadOnlyList<Migration> All = SchemaMigrations.All(retentionDays: 30);

    [Fact]
    public void Ids_AreUniqueAndInOrder()
    {
        var ids = All.Select(m => m.Id).ToList();

        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void BaseSteps_RunOnClickHouse1816_AndUseNoNewerFeature()
    {
        foreach (var migration in All.Where(m => m.MinServerMajor == 0))
        {
            foreach (var statement in migration.Statements)
            {
                foreach (var newer in new[] { "CODEC", "TTL", "LowCardinality", "DateTime64", "Map(", "INDEX" })
                {
                    Assert.DoesNotContain(newer, statement, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public void Extras_AreGatedAboveTheOldestSupportedServer()
    {
        var extras = All.Where(m => m.Statements.Any(s => s.Contains("CODEC", StringComparison.Ordinal) || s.Contains("TTL", StringComparison.Ordinal) || s.Contains("LowCardinality", StringComparison.Ordinal) || s.Contains("INDEX", StringComparison.Ordinal))).ToList();

        Assert.Equal(6, extras.Count);
        Assert.All(extras, m => Assert.True(m.MinServerMajor > 18, $"migration {m.Id} must be gated"));
    }

    [Theory]
    [InlineData(104)]
    [InlineData(110)]
    public void RetentionDays_ReachesTheTtlStatement(int id) =>
        Assert.Contains(SchemaMigrations.All(7).Single(m => m.Id == id).Statements, s => s.Contains("toIntervalDay(7)", StringComparison.Ordinal));
}
