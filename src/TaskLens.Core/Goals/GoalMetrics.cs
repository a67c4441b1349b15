using System.Diagnostics.Metrics;

namespace TaskLens.Core.Goals;

/// <summary>
/// The goal rollup's figures for <c>/metrics</c>, read when scraped: runs open (spans still arriving or due), runs and
/// spans held in memory, runs finalized, runs finalized early at a memory limit (none at the sustained rate the
/// defaults are sized for, docs/goals.md), and the rollup lag — how long since a sweep last ended with every finalized
/// run stored (about one sweep interval when healthy; it grows while ClickHouse refuses goal runs or sweeps stall).
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
    }
}
