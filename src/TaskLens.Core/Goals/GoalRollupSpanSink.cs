using TaskLens.Core.Incidents;
using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Goals;

/// <summary>
/// Hands every batch the store has taken to the goal rollup, so runs are built from exactly the spans that are
/// stored (a batch the store refused is retried by the caller and observed then). A failure inside the rollup is
/// reported, never thrown: the spans are stored, and the caller must not write them again for it. The batch's resources
/// also teach correlation which workload reports each service (<see cref="IServiceLinks.ObserveResources"/>).
/// </summary>
public sealed class GoalRollupSpanSink(ISpanSink inner, GoalRollup rollup, TimeProvider time, Action<Exception> rollupFailed, IServiceLinks? links = null) : ISpanSink
{
    public async Task WriteAsync(SpanBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await inner.WriteAsync(batch, cancellationToken);
        try
        {
            rollup.Observe(batch, time.GetUtcNow().ToUnixTimeMilliseconds());
            links?.ObserveResources(batch);
        }
#pragma warning disable CA1031 // Any failure of the rollup is reported; the stored batch must not be refused for it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            rollupFailed(e);
        }
    }
}
