using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskLens.Core.Incidents;
using TaskLens.Core.Ingest;
using TaskLens.Core.Traces;

namespace TaskLens.Core.Goals;

/// <summary>
/// Keeps the goal rollup going: at start, reloads from ClickHouse the runs that were open when TaskLens stopped;
/// then every sweep, reloads runs that got a late span after they were finalized (a finalized run keeps only its span
/// ids), finalizes what is due and stores it — at most once per <see cref="GoalOptions.WriteInterval"/>, so a steady
/// flow of runs makes a few large inserts rather than one a sweep. Runs not stored yet (held for that interval, or
/// refused by storage) wait for a later sweep, one per run id (a newer finalization replaces the waiting one); a restart
/// meanwhile rebuilds them from their spans, as it does open runs. Nothing is counted twice: reloaded spans fold by span id, and a stored run is replaced by its next version.
/// A sweep that ends with every due run stored moves the watermark (<see cref="StoredThrough"/>) that detection judges
/// steps by. The calls between services each finished run shows go to the service links incidents correlate by.
/// </summary>
internal sealed class GoalRollupService(
    GoalRollup rollup,
    IGoalRunSink sink,
    IGoalReader goals,
    ITraceReader traces,
    IStoredSpanCounter storedSpans,
    IServiceLinks links,
    GoalOptions options,
    TimeProvider time,
    ILogger<GoalRollupService> logger,
    ISpoolFrontier? spool = null) : BackgroundService, IGoalRunWatermark
{
    /// <summary>Bounds the trace reads one sweep makes; the rest wait for the next sweep.</summary>
    private const int MaxReloadsPerSweep = 100;

    /// <summary>Trace ids per lookup of stored span counts.</summary>
    private const int CountsPerQuery = 500;

    private readonly Dictionary<(string Tenant, string RunId), GoalRun> _waiting = [];
    private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;
    private long _caughtUpAtTicks = time.GetUtcNow().UtcTicks;

    /// <summary>0 until a sweep first ends with every due run stored.</summary>
    private long _storedThroughTicks;
    private long _reloadsAsked;
    private long _reloadsStoredElsewhere;
    private long _reloadsAtStart;

    /// <summary>When a sweep last ended with every finalized run stored (start, before the first sweep).</summary>
    public DateTimeOffset CaughtUpAt => new(Interlocked.Read(ref _caughtUpAtTicks), TimeSpan.Zero);

    /// <summary>
    /// A quiet period before the start of the last sweep that ended with every finalized run stored and every reload it
    /// was asked for read back: every run with a goal span whose spans had all arrived by then was due at that sweep
    /// (<see cref="GoalOptions.QuietPeriod"/>) and is stored — capped, with a spool, by its frontier as the sweep nearest
    /// before that time found it (<see cref="CoveredThrough"/>). It does not move while runs wait for the write interval or
    /// storage refuses them, while late spans' reloads are asked faster than a sweep reads them, while a reload fails,
    /// or until a quiet period after the runs open at the last stop were read back.
    /// </summary>
    public DateTimeOffset? StoredThrough => Interlocked.Read(ref _storedThroughTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Whole traces read back from storage since start, by why: see <see cref="GoalMetrics"/>.</summary>
    public (long Asked, long StoredElsewhere, long AtStart) Reloads =>
        (Interlocked.Read(ref _reloadsAsked), Interlocked.Read(ref _reloadsStoredElsewhere), Interlocked.Read(ref _reloadsAtStart));

    private long _finalizedEarlyLogged;

    /// <summary>
    /// The spool's frontier as each sweep of the last quiet period found it (oldest first; MinValue while unknown): the
    /// watermark takes the one of a quiet period ago, the spans acknowledged before which had all reached the rollup by then.
    /// </summary>
    private readonly Queue<(DateTimeOffset SweptAt, DateTimeOffset StoredBefore)> _spoolFrontiers = new();

    /// <summary>When the runs open at the last stop were read back; the watermark waits a quiet period past it.</summary>
    private DateTimeOffset _rebuiltAt = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RebuildAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await SweepAsync(stoppingToken);
        }
    }

    /// <summary>Reloads the runs that were open (or had late spans) when TaskLens last stopped.</summary>
    internal async Task RebuildAsync(CancellationToken cancellationToken)
    {
        try
        {
            var since = time.GetUtcNow() - options.AbandonAfter - options.KeepFinalizedFor;
            var runs = await goals.RunsToRebuildAsync(since, options.MaxRunsInMemory / 2, cancellationToken);
            foreach (var (tenant, runId) in runs)
            {
                if (TraceId.TryParse(runId, out var traceId))
                {
                    await ReloadAsync(tenant, traceId, cancellationToken);
                    Interlocked.Increment(ref _reloadsAtStart);
                }
            }

            GoalLog.Rebuilt(logger, runs.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            GoalLog.RebuildFailed(logger, e);
        }
        finally
        {
            // The rebuilt runs arrive now and are due a quiet period later; until then a step before the restart is
            // not covered.
            _rebuiltAt = time.GetUtcNow();
        }
    }

    /// <summary>
    /// One sweep: reload what was asked back, finalize what is due and store it, or keep it for the next sweep; once
    /// every run is stored, move the watermark.
    /// </summary>
    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        var sweptAt = time.GetUtcNow();
        if (spool is not null)
        {
            _spoolFrontiers.Enqueue((sweptAt, spool.StoredBefore(sweptAt) ?? DateTimeOffset.MinValue));
            while (_spoolFrontiers.Count > 1 && _spoolFrontiers.ElementAt(1).SweptAt <= sweptAt - options.QuietPeriod)
            {
                _spoolFrontiers.Dequeue(); // a quiet period's worth is kept, and the one sweep before it
            }
        }

        var reloadsDone = await ReloadAskedAsync(cancellationToken);
        if (options.CheckStoredSpans)
        {
            await CheckStoredSpansAsync(cancellationToken);
        }

        foreach (var run in rollup.Sweep(sweptAt.ToUnixTimeMilliseconds()))
        {
            _waiting[(run.Tenant, run.RunId)] = run;
            if (run.ServiceCalls.Count > 0)
            {
                links.Observe(run.Tenant, run.ServiceCalls);
            }
        }

        var early = rollup.Stats.RunsFinalizedEarly;
        if (early > _finalizedEarlyLogged)
        {
            GoalLog.FinalizedEarly(logger, early - _finalizedEarlyLogged);
            _finalizedEarlyLogged = early;
        }

        if (_waiting.Count > 0
            && (time.GetUtcNow() - _lastWrite >= options.EffectiveWriteInterval || _waiting.Count >= options.MaxRunsWaitingToWrite))
        {
            await WriteWaitingAsync(cancellationToken);
        }

        if (_waiting.Count == 0)
        {
            Interlocked.Exchange(ref _caughtUpAtTicks, time.GetUtcNow().UtcTicks);
            if (reloadsDone && sweptAt - _rebuiltAt >= options.QuietPeriod && CoveredThrough(sweptAt - options.QuietPeriod) is { } through
                && through.UtcTicks > Interlocked.Read(ref _storedThroughTicks))
            {
                Interlocked.Exchange(ref _storedThroughTicks, through.UtcTicks);
            }
        }
    }

    /// <summary>
    /// What a sweep that stored every due run covers, given that every span which reached the rollup before
    /// <paramref name="dueBefore"/> (a quiet period before the sweep) was due: that time itself without a spool; with one,
    /// the time before which every export was acknowledged and stored as of the sweep nearest before it — a span still in
    /// the spool then (ClickHouse away, the drain behind) had not reached the rollup, however old it was. Null until a
    /// sweep that old exists or while the spool's frontier is unknown.
    /// </summary>
    private DateTimeOffset? CoveredThrough(DateTimeOffset dueBefore)
    {
        if (spool is null)
        {
            return dueBefore;
        }

        return _spoolFrontiers.TryPeek(out var oldest) && oldest.SweptAt <= dueBefore && oldest.StoredBefore > DateTimeOffset.MinValue
            ? (oldest.StoredBefore < dueBefore ? oldest.StoredBefore : dueBefore)
            : null;
    }

    /// <summary>
    /// Reloads the runs asked back (a late span, or no goal span after a quiet period), at most
    /// <see cref="MaxReloadsPerSweep"/>; false if some are left for the next sweep or a read failed.
    /// </summary>
    private async Task<bool> ReloadAskedAsync(CancellationToken cancellationToken)
    {
        // Only runs with a stored row are read back: most traces without a goal span are not goals at all (a service
        // called by an uninstrumented client), and one small query per sweep is all they cost.
        // Runs asked back only for lacking a goal span do not hold the watermark back (IGoalRunWatermark does not cover
        // them): a steady flow of such traces, 100 a second or more, would otherwise stop it for good.
        var asked = rollup.TakeReloads(MaxReloadsPerSweep);
        var done = !rollup.GoalRunReloadsWaiting;
        foreach (var tenant in asked.GroupBy(r => r.Tenant))
        {
            try
            {
                var traceIds = tenant.Select(r => new TraceId(r.TraceIdHigh, r.TraceIdLow)).ToList();
                var stored = await goals.StoredRunIdsAsync(tenant.Key, traceIds.Select(t => t.ToString()).ToList(), cancellationToken);
                // A run finalized and not stored yet (waiting for the write interval, or refused) is a goal run too.
                foreach (var traceId in traceIds.Where(t => stored.Contains(t.ToString()) || _waiting.ContainsKey((tenant.Key, t.ToString()))))
                {
                    await ReloadAsync(tenant.Key, traceId, cancellationToken);
                    Interlocked.Increment(ref _reloadsAsked);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                GoalLog.ReloadFailed(logger, tenant.Key, e);
                done = false;
            }
        }

        return done;
    }

    /// <summary>
    /// On a clean stop, stores the runs still waiting for the write interval, once the sweeps have ended; a restart would
    /// otherwise have to rebuild them from their spans (and a node scaled away never would).
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is { IsCompleted: false } || _waiting.Count == 0)
        {
            return;
        }

        try
        {
            await WriteWaitingAsync(cancellationToken);
        }
        catch (OperationCanceledException e)
        {
            GoalLog.WriteFailed(logger, _waiting.Count, e);
        }
    }

    /// <summary>Stores every waiting run in one insert; if storage refuses, they wait for the next sweep (the interval restarts only on success).</summary>
    private async Task WriteWaitingAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var runs = _waiting.Values.ToList();
        try
        {
            await sink.WriteAsync(runs, cancellationToken);
            _waiting.Clear();
            _lastWrite = started;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            GoalLog.WriteFailed(logger, runs.Count, e);
        }
    }

    /// <summary>
    /// Compares the runs due now with what storage holds of their traces and reloads a trace of which storage holds more
    /// spans: they reached another TaskLens node. Nothing about a run is shared between nodes but ClickHouse, so this is
    /// how the node with the goal span sees the rest. If storage cannot be asked, runs are finalized from memory as before;
    /// the other node's late-span path still re-finalizes them from storage (docs/goals.md, "Several nodes").
    /// </summary>
    private async Task CheckStoredSpansAsync(CancellationToken cancellationToken)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var tenant in rollup.RunsDue(nowMs).GroupBy(r => r.Tenant))
        {
            try
            {
                foreach (var chunk in tenant.Chunk(CountsPerQuery))
                {
                    var stored = await storedSpans.CountAsync(tenant.Key, chunk.Select(r => r.TraceId).ToList(), cancellationToken);
                    foreach (var (_, traceId, held) in chunk)
                    {
                        if (stored.TryGetValue(traceId, out var count) && count > held)
                        {
                            rollup.NoteStored(tenant.Key, traceId, count);
                            await ReloadAsync(tenant.Key, traceId, cancellationToken, arrival: false);
                            Interlocked.Increment(ref _reloadsStoredElsewhere);
                        }
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                GoalLog.StoredSpanCheckFailed(logger, tenant.Key, e);
            }
        }
    }

    private async Task ReloadAsync(string tenant, TraceId traceId, CancellationToken cancellationToken, bool arrival = true)
    {
        // A run past the rollup's own memory bound could not be held anyway; reading more would only cost memory.
        var spans = await traces.GetTraceAsync(tenant, traceId, 0, (int)Math.Min(options.MaxSpansInMemory, int.MaxValue), cancellationToken);
        if (spans.Count > 0)
        {
            rollup.Reload(StoredTrace.ToBatch(tenant, spans), time.GetUtcNow().ToUnixTimeMilliseconds(), arrival);
        }
    }
}
