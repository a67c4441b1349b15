using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskLens.Core.Access;

/// <summary>
/// At start (after the state database is migrated, before requests are served): creates the configured first admin if
/// no user exists, and loads the stored keys. Then re-reads the keys every <see cref="AccessOptions.KeyRefresh"/>.
/// </summary>
internal sealed class AccessKeyRefresher(IOptions<AccessOptions> options, AccessService access, AccessKeyDirectory directory, ILogger<AccessKeyRefresher> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var first = options.Value.FirstAdmin;
        if (first.Name.Length > 0)
        {
            var (created, problem) = await access.EnsureFirstAdminAsync(first.Tenant, first.Name, first.Password, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                throw new InvalidOperationException($"{AccessOptions.SectionName}:FirstAdmin: {problem}");
            }

            if (created)
            {
                CoreLog.FirstAdminCreated(logger, first.Name, first.Tenant);
            }
        }

        await directory.RefreshAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.KeyRefresh);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await directory.RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The last keys loaded stay in force; the next tick tries again.
                CoreLog.KeyRefreshFailed(logger, e);
            }
        }
    }
}
