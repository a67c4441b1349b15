using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Storage.State;

namespace TaskLens.IntegrationTests.State;

/// <summary>The state store contract on a real PostgreSQL 15 (several nodes), one database per test.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class PostgresStateStoreTests(ClickHouseFixture clickHouse, PostgresFixture postgres) : StateStoreContract(clickHouse), IClassFixture<PostgresFixture>
{
    private string? _connectionString;
    private string? _otherConnectionString;

    private protected override async Task<StateDatabase> CreateDatabaseAsync()
    {
        _connectionString ??= await postgres.Server.CreateDatabaseAsync("contract");
        return StateDatabase.ForPostgres(_connectionString, TimeSpan.FromSeconds(5), Schemas);
    }

    private protected override async Task<StateDatabase> CreateOtherDatabaseAsync(IReadOnlyList<StateSchema> schemas)
    {
        _otherConnectionString ??= await postgres.Server.CreateDatabaseAsync("other");
        return StateDatabase.ForPostgres(_otherConnectionString, TimeSpan.FromSeconds(5), schemas);
    }
}
