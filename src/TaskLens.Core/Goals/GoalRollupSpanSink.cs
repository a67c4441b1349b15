using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Goals;

/// <summary>
/// Hands every batch the store has taken to the goal rollup, so runs are built from exactly the spans that are
/// stored (a batch the store refused is retried by the caller and observed then).
/// </summary>
public sealed class GoalRollupSpanSink(ISpanSink inner, GoalRollup rollup, TimeProvider time) : ISpanSink
{
    public async Task WriteAsync(SpanBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await inner.WriteAsync(batch, cancellationToken);
        rollup.Observe(batch, time.GetUtcNow().ToUnixTimeMilliseconds());
    }
}
