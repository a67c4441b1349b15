using TaskLens.Core.Incidents;
using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Goals;

/// <summary>
/// Hands every span the store has taken to the goal rollup, so runs are built from exactly the spans that are stored
/// (a run the store refused is retried by the caller and observed then): each run of spans written straight into
/// storage rows (the spool drainer, and the spool-off path per export) reads the rollup's facts of its spans as they
/// are decoded, in the same pass, and hands them to the rollup once the run is stored (<see cref="GoalObservedSpanRun"/>).
/// </summary>
public sealed class GoalRollupSpanRowSink(ISpanRowSink inner, GoalRollup rollup, TimeProvider time, Action<Exception> rollupFailed, IServiceLinks? links = null)
    : ISpanRowSink
{
    public ISpanRowRun Begin(string tenant) => new GoalObservedSpanRun(inner.Begin(tenant), tenant, rollup, time, rollupFailed, links);
}
