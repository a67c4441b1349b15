using System.Diagnostics.Metrics;

namespace TaskLens.Core.Goals;

/// <summary>
/// The goal rollup's figures for <c>/metrics</c>, read when scraped: runs open (spans still arriving or due), runs and
/// spans held in memory, runs finalized, runs finalized early at a memory limit (none at the sustained rate the
/// defaults are sized for, docs/goals.md), and the rollup lag — how long since a sweep last ended with every finalized
/// run stored (about one sweep interval when healthy; it grows while ClickHouse refuses goal runs or sweeps stall), the
/// goal-run watermark's lag, late spans and the traces reloaded for them (and for the other reasons a run is read back).
/// </summary>
internal sealed class GoalMetrics : ISelfMetrics
{
    public GoalMetrics(IMeterFactory meters, GoalRollup rollup, GoalRollupService sweeper, TimeProvider time)
    {
        var meter = meters.Create(CoreMeter.Name);
        meter.CreateObservableGauge("tasklens.goals.open_runs", rollup.OpenRunCount, "{run}", "Goal runs not finalized yet");
        meter.CreateObservableGauge("tasklens.goals.runs_in_memory", () => rollup.Stats.RunsInMemory, "{run}", "Goal runs held by the rollup: open, or finalized and kept for late spans");
        meter.CreateObservableGauge("tasklens.goals.spans_in_memory", () => rollup.Stats.SpansInMemory, "{span}", "Span facts held over all open runs in memory");
        meter.CreateObservableGauge("tasklens.goals.finalized_span_ids_in_memory", () => rollup.Stats.FinalizedSpanIdsInMemory, "{span}", "Span ids finalized runs keep for duplicates and late spans (8 bytes each)");
        meter.CreateObservableCounter("tasklens.goals.runs_finalized", () => rollup.Stats.RunsFinalized, "{run}", "Goal runs finalized since start (a late span finalizes a run again)");
        meter.CreateObservableCounter("tasklens.goals.runs_finalized_early", () => rollup.Stats.RunsFinalizedEarly, "{run}", "Open goal runs finalized before their quiet period because a memory limit was reached");
        meter.CreateObservableGauge("tasklens.goals.rollup_lag", () => (time.GetUtcNow() - sweeper.CaughtUpAt).TotalSeconds, "s", "Time since a sweep last stored every finalized goal run");
        meter.CreateObservableGauge(
            "tasklens.goals.stored_through_lag",
            () => sweeper.StoredThrough is { } through ? [new Measurement<double>((time.GetUtcNow() - through).TotalSeconds)] : Array.Empty<Measurement<double>>(),
            "s",
            "Time since the goal-run watermark: every goal run whose spans had all arrived by then is stored (the quiet period plus a sweep when healthy)");
        meter.CreateObservableCounter("tasklens.goals.late_spans", () => LateSpans(rollup.Stats), "{span}", "New spans of runs already finalized, by whether the run was still held (taken in memory) or let go (reloaded from storage)");
        meter.CreateObservableCounter("tasklens.goals.runs_reloaded", () => Reloads(sweeper.Reloads), "{run}", "Whole traces read back from storage, by why");
    }

    private static Measurement<long>[] LateSpans(GoalRollupStats stats) =>
    [
        new(stats.LateSpans, new KeyValuePair<string, object?>("run", "held")),
        new(stats.LateSpansOfForgottenRuns, new KeyValuePair<string, object?>("run", "let_go")),
    ];

    /// <summary>
    /// <c>asked</c>: a late span of a finalized run, or a run still without its goal span after a quiet period (a
    /// restart's leftovers); <c>stored_elsewhere</c>: storage held more of a due run than this node; <c>at_start</c>: runs
    /// open at the last stop.
    /// </summary>
    private static Measurement<long>[] Reloads((long Asked, long StoredElsewhere, long AtStart) reloads) =>
    [
        new(reloads.Asked, new KeyValuePair<string, object?>("reason", "asked")),
        new(reloads.StoredElsewhere, new KeyValuePair<string, object?>("reason", "stored_elsewhere")),
        new(reloads.AtStart, new KeyValuePair<string, object?>("reason", "at_start")),
    ];
}
