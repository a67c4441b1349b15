using Microsoft.Extensions.Diagnostics.HealthChecks;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Health;

/// <summary><c>/readyz</c>: ClickHouse answers its <c>/ping</c> (within two seconds).</summary>
internal sealed class ClickHouseReadiness(ClickHouseClient client) : IHealthCheck
{
    public const string Name = "clickhouse";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await client.PingAsync(cancellationToken)
            ? HealthCheckResult.Healthy("answers")
            : HealthCheckResult.Unhealthy("does not answer");
}
