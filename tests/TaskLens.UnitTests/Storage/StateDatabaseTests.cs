using Microsoft.Data.Sqlite;
using TaskLens.Storage.State;

namespace TaskLens.UnitTests.Storage;

public sealed class StateDatabaseTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tasklens-state-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private StateDatabase Create(params StateSchema[] schemas) =>
        new(Path.Combine(_directory, "nested", "state.db"), TimeSpan.FromSeconds(2), schemas);

    private static readonly StateSchema Things = new("things", ["CREATE TABLE things (id TEXT PRIMARY KEY, version INTEGER NOT NULL)"]);

    [Fact]
    public async Task MigrateAsync_RunTwice_AppliesEachStatementOnce()
    {
        Assert.Equal(1, await Create(Things).MigrateAsync(CancellationToken.None));
        Assert.Equal(0, await Create(Things).MigrateAsync(CancellationToken.None));
    }

    [Fact]
    public async Task MigrateAsync_StatementAppendedLater_RunsOnlyTheNewOne()
    {
        await Create(Things).MigrateAsync(CancellationToken.None);
        var grown = Things with { Statements = [.. Things.Statements, "ALTER TABLE things ADD COLUMN name TEXT"] };

        Assert.Equal(1, await Create(grown).MigrateAsync(CancellationToken.None));

        var database = Create(grown);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO things (id, version, name) VALUES ('a', 1, 'x')";
        Assert.Equal(1, await insert.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task MigrateAsync_FailingStatement_IsNotRecordedAndRunsAgainOnceFixed()
    {
        var broken = new StateSchema("broken", ["CREATE TABLE ok (id TEXT)", "CREATE TABLEX nope"]);
        await Assert.ThrowsAsync<SqliteException>(() => Create(broken).MigrateAsync(CancellationToken.None));

        var fixedSchema = broken with { Statements = ["CREATE TABLE ok (id TEXT)", "CREATE TABLE fine (id TEXT)"] };
        Assert.Equal(1, await Create(fixedSchema).MigrateAsync(CancellationToken.None));
    }

    [Fact]
    public async Task OpenAsync_CompareAndSet_SecondWriterWithStaleVersionChangesNothing()
    {
        var database = Create(Things);
        await database.MigrateAsync(CancellationToken.None);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await Execute(connection, "INSERT INTO things (id, version) VALUES ('a', 1)");

        Assert.Equal(1, await Execute(connection, "UPDATE things SET version = 2 WHERE id = 'a' AND version = 1"));
        Assert.Equal(0, await Execute(connection, "UPDATE things SET version = 2 WHERE id = 'a' AND version = 1"));
    }

    private static async Task<int> Execute(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }
}
