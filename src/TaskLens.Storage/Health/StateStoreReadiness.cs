using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TaskLens.Storage.State;

namespace TaskLens.Storage.Health;

/// <summary><c>/readyz</c>: the state store (users, keys, incident state) opens and answers a query.</summary>
internal sealed class StateStoreReadiness(StateDatabase database) : IHealthCheck
{
    public const string Name = "state";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("answers");
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("does not answer", e);
        }
    }
}
