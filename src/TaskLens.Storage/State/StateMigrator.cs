using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TaskLens.Storage.State;

/// <summary>Brings the state database's tables up to date before the host serves requests.</summary>
internal sealed class StateMigrator(StateDatabase database, ILogger<StateMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        StorageLog.StateMigrated(logger, applied, database.Location);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
