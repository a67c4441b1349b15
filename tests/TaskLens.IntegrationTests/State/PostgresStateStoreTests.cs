using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Storage.State;

namespace TaskLens.IntegrationTests.State;

/// <summary>The state store contract on a real PostgreSQL 15 (several nodes), one database per test.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class PostgresStateStoreTests(ClickHouseFixture clickHouse, PostgresFixture postgres) : StateStoreContract(clickHouse), IClassFixture<PostgresFixture>
{
    private string? _connectionString;

    private protected override async Task<StateDatabase> CreateDatabaseAsync()
    {
        _connectionString ??= await postgres.Server.CreateDatabaseAsync("contract");
        return StateDatabase.ForPostgres(_connectionString, TimeSpan.FromSeconds(5), Schemas);
    }
}
