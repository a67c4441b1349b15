using TaskLens.Core.Goals;

namespace TaskLens.Server.Goals;

/// <summary>
/// Sweeps the rollup for runs that became final and stores them. Runs that cannot be stored now wait for the next
/// sweep, one per run id (a newer finalization of the same run replaces the waiting one).
/// </summary>
internal sealed class GoalRollupService(
    GoalRollup rollup, IGoalRunSink sink, GoalOptions options, TimeProvider time, ILogger<GoalRollupService> logger) : BackgroundService
{
    private readonly Dictionary<(string Tenant, string RunId), GoalRun> _waiting = [];
    private long _finalizedEarlyLogged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await SweepAsync(stoppingToken);
        }
    }

    /// <summary>One sweep: finalize what is due and store it, or keep it for the next sweep.</summary>
    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var run in rollup.Sweep(time.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            _waiting[(run.Tenant, run.RunId)] = run;
        }

        var early = rollup.Stats.RunsFinalizedEarly;
        if (early > _finalizedEarlyLogged)
        {
            GoalLog.FinalizedEarly(logger, early - _finalizedEarlyLogged);
            _finalizedEarlyLogged = early;
        }

        if (_waiting.Count == 0)
        {
            return;
        }

        var runs = _waiting.Values.ToList();
        try
        {
            await sink.WriteAsync(runs, cancellationToken);
            _waiting.Clear();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            GoalLog.WriteFailed(logger, runs.Count, e);
        }
    }
}
