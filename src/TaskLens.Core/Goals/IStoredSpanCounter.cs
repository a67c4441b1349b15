using TaskLens.Core.Traces;

namespace TaskLens.Core.Goals;

/// <summary>
/// How many distinct spans of a trace storage holds, whichever node stored them: before a run is finalized, the
/// rollup compares this with the spans it holds, so a trace whose spans reached two nodes is finalized from all of them.
/// </summary>
public interface IStoredSpanCounter
{
    /// <summary>Distinct stored spans per trace; a trace without stored spans is absent.</summary>
    Task<IReadOnlyDictionary<TraceId, ulong>> CountAsync(string tenant, IReadOnlyCollection<TraceId> traceIds, CancellationToken cancellationToken);
}
