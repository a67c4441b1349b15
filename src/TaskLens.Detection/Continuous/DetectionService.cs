using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskLens.Core.Alerts;
using TaskLens.Core.Findings;
using TaskLens.Core.Alerts.Intake;

namespace TaskLens.Detection.Continuous;

/// <summary>
/// Runs continuous detection: learns the history once, then judges each step as it becomes due, and hands the raised
/// findings (not the context ones) and their resolutions to the alert intake, where they are deduplicated with every
/// other source's.
/// </summary>
internal sealed class DetectionService(
    DetectionRunner runner, IAlertIntake intake, DetectionOptions options, DetectionMetrics metrics, TimeProvider time, ILogger<DetectionService> logger) : BackgroundService
{
    private const int MaxWaiting = 10_000;
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);

    /// <summary>Finding events the intake could not take yet.</summary>
    private readonly List<AlertEvent> _waiting = [];

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
        long judgedBeforeRunsStoredLogged = 0;
        using var timer = new PeriodicTimer(Tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var findings = await runner.EvaluateDueAsync(time.GetUtcNow(), stoppingToken);
                metrics.Stored(findings);
                foreach (var finding in findings)
                {
                    DetectionLog.Finding(logger, finding.Severity, finding.Status, finding.Tenant, finding.Summary);
                }

                await HandOverAsync(findings, stoppingToken);

                if (runner.StepsJudgedBeforeRunsStored > judgedBeforeRunsStoredLogged)
                {
                    DetectionLog.JudgedBeforeRunsStored(
                        logger, runner.StepsJudgedBeforeRunsStored - judgedBeforeRunsStoredLogged, options.WaitForRunsAtMost.TotalSeconds, runner.RunsStoredThrough);
                    judgedBeforeRunsStoredLogged = runner.StepsJudgedBeforeRunsStored;
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

    /// <summary>
    /// Raised and resolved findings into the intake as source <c>tasklens</c>. They are stored in <c>alerts</c> already; if
    /// the intake cannot take them now they are logged (6124) and offered again on the next tick, in order, at most
    /// <see cref="MaxWaiting"/> of them (the oldest are dropped past that).
    /// </summary>
    private async Task HandOverAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken)
    {
        _waiting.AddRange(IntakeEvents(findings));
        if (_waiting.Count == 0)
        {
            return;
        }

        if (_waiting.Count > MaxWaiting)
        {
            _waiting.RemoveRange(0, _waiting.Count - MaxWaiting);
        }

        try
        {
            await intake.AcceptAsync(_waiting, cancellationToken);
            _waiting.Clear();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            DetectionLog.HandOverFailed(logger, _waiting.Count, e);
        }
    }

    /// <summary>
    /// The intake's view of our findings: source <c>tasklens</c>, our fingerprint; a raised one triggers with its summary as
    /// title, a resolved one resolves it with its summary as message (title and labels stay the raised finding's).
    /// </summary>
    internal static List<AlertEvent> IntakeEvents(IReadOnlyList<Finding> findings) =>
        findings.Where(a => a.Status is FindingStatus.Raised or FindingStatus.Resolved).Select(a =>
        {
            var e = new AlertEvent
            {
                Tenant = a.Tenant,
                Source = FindingFingerprint.Source,
                Fingerprint = a.Fingerprint,
                Action = AlertAction.Trigger,
                Title = a.Summary,
                Severity = a.Severity,
                StartsAt = a.WindowStart,
                ReceivedAt = a.RaisedAt,
            };
            return a.Status == FindingStatus.Resolved
                ? e with { Action = AlertAction.Resolve, Title = "", Message = a.Summary }
                : e with
                {
                    Labels = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        [a.Scope] = a.Subject,
                        ["metric"] = a.Metric,
                        ["detector"] = a.Detector,
                        ["alert_id"] = a.Id,
                    },
                };
        }).ToList();
}
