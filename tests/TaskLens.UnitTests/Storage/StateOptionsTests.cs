using TaskLens.Storage.State;

namespace TaskLens.UnitTests.Storage;

public sealed class StateOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(new StateOptions().Validate());

    [Fact]
    public void Validate_PostgresWithHostAndDatabase_IsValid() =>
        Assert.Empty(new StateOptions { Postgres = "Host=db;Port=5432;Database=tasklens;Username=tl;Password=secret" }.Validate());

    [Fact]
    public void Validate_PostgresWithoutDatabase_IsListed() =>
        Assert.Equal(["Postgres must name a Host and a Database."], new StateOptions { Postgres = "Host=db;Username=tl" }.Validate());

    [Fact]
    public void Validate_PostgresNotAConnectionString_IsListedWithoutItsValue()
    {
        var error = Assert.Single(new StateOptions { Postgres = "Host=db;Password=hunter2;Nonsense Keyword=1" }.Validate());

        Assert.StartsWith("Postgres is not a valid connection string", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void For_PostgresWithoutItsOwnStatements_GetsBigIntegers()
    {
        var schema = new StateSchema("t", ["CREATE TABLE t (id TEXT, version INTEGER NOT NULL)"]);

        Assert.Equal(["CREATE TABLE t (id TEXT, version BIGINT  NOT NULL)"], schema.For(StateDialect.Postgres));
        Assert.Equal(schema.Statements, schema.For(StateDialect.Sqlite));
    }
}
