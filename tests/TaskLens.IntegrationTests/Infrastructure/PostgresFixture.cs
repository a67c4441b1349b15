namespace TaskLens.IntegrationTests.Infrastructure;

/// <summary>One PostgreSQL server for a test class (<see cref="PostgresProcess"/>); tests take databases of their own.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    internal PostgresProcess Server { get; } = new();

    public Task InitializeAsync() => Server.StartAsync(CancellationToken.None);

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();
}
