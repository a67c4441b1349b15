using Microsoft.Data.Sqlite;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Storage.State;

namespace TaskLens.IntegrationTests.State;

/// <summary>The state store contract on the embedded SQLite database (one node).</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class SqliteStateStoreTests(ClickHouseFixture clickHouse) : StateStoreContract(clickHouse), IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tasklens-state-contract-").FullName;

    private protected override Task<StateDatabase> CreateDatabaseAsync() =>
        Task.FromResult(new StateDatabase(Path.Combine(_directory, "state.db"), TimeSpan.FromSeconds(5), Schemas));

    private protected override Task<StateDatabase> CreateOtherDatabaseAsync(IReadOnlyList<StateSchema> schemas) =>
        Task.FromResult(new StateDatabase(Path.Combine(_directory, "other.db"), TimeSpan.FromSeconds(5), schemas));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
