using Microsoft.Extensions.Options;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Server.EmbeddedClickHouse;

/// <summary>
/// Embedded mode: starts TaskLens's own clickhouse-server before anything needs it, restarts it with backoff if it
/// dies, and stops it cleanly after everything else has stopped (hosted services stop in reverse order).
/// </summary>
internal sealed class EmbeddedClickHouseService(IOptions<ClickHouseOptions> options, ILogger<EmbeddedClickHouseService> logger)
    : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();
    private ClickHouseProcess? _process;
    private Task _supervision = Task.CompletedTask;

    /// <summary>How many times the server was restarted after dying; for tests and diagnostics.</summary>
    public int Restarts { get; private set; }

    internal ClickHouseProcess? Process => _process;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        _process = new ClickHouseProcess(o.EmbeddedDataPath, o.EmbeddedHttpPort, o.EmbeddedTcpPort, o.EmbeddedServerPath, o.Password);
        EmbeddedClickHouseLog.Starting(logger, o.EmbeddedDataPath, o.EmbeddedHttpPort);
        await _process.StartAsync(ReadyTimeout, cancellationToken);
        EmbeddedClickHouseLog.Ready(logger, _process.Url);
        _supervision = SuperviseAsync(_process, _stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _supervision;
        var process = Interlocked.Exchange(ref _process, null);
        if (process is not null)
        {
            await process.StopAsync();
            EmbeddedClickHouseLog.Stopped(logger);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    private async Task SuperviseAsync(ClickHouseProcess process, CancellationToken stopping)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await process.WaitForExitAsync(stopping);
                EmbeddedClickHouseLog.Died(logger, delay.TotalSeconds, process.ErrorLogTail());
                await Task.Delay(delay, stopping);
                await process.StopAsync();
                await process.StartAsync(ReadyTimeout, stopping);
                Restarts++;
                EmbeddedClickHouseLog.Restarted(logger, process.Url);
                delay = TimeSpan.FromSeconds(1);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (InvalidOperationException e)
            {
                // A failed restart: try again, waiting longer each time, rather than leave TaskLens without storage.
                EmbeddedClickHouseLog.RestartFailed(logger, e);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRestartDelay.Ticks));
            }
        }
    }
}
