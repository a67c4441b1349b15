namespace TaskLens.Server.Detection;

/// <summary>Runs continuous detection: learns the history once, then judges each step as it becomes due.</summary>
internal sealed class DetectionService(DetectionRunner runner, DetectionOptions options, TimeProvider time, ILogger<DetectionService> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var steps = await runner.CatchUpAsync(time.GetUtcNow(), stoppingToken);
                DetectionLog.CaughtUp(logger, steps, runner.SeriesCount, options.Step.TotalMinutes, options.JudgedAfter.TotalSeconds);
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                DetectionLog.Failed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(10), time, stoppingToken);
            }
        }

        var overLimitLoggedAt = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(Tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var alert in await runner.EvaluateDueAsync(time.GetUtcNow(), stoppingToken))
                {
                    DetectionLog.Alert(logger, alert.Severity, alert.Status, alert.Tenant, alert.Summary);
                }

                if (runner.PointsOverLimit > 0 && time.GetUtcNow() - overLimitLoggedAt > TimeSpan.FromHours(1))
                {
                    DetectionLog.OverLimit(logger, options.MaxSeries, runner.PointsOverLimit);
                    overLimitLoggedAt = time.GetUtcNow();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                DetectionLog.Failed(logger, e);
            }
        }
    }
}
