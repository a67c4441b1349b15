using TaskLens.Core.Incidents;
using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Goals;

/// <summary>
/// <see cref="GoalRollupSpanSink"/> for spans written straight into storage rows (the spool drainer): each run reads
/// the goal rollup's facts of its spans as they are decoded, in the same pass, and hands them to the rollup once the
/// run is stored (<see cref="GoalObservedSpanRun"/>).
/// </summary>
public sealed class GoalRollupSpanRowSink(ISpanRowSink inner, GoalRollup rollup, TimeProvider time, Action<Exception> rollupFailed, IServiceLinks? links = null)
    : ISpanRowSink
{
    public ISpanRowRun Begin(string tenant) => new GoalObservedSpanRun(inner.Begin(tenant), tenant, rollup, time, rollupFailed, links);
}
