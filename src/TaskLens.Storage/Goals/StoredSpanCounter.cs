using TaskLens.Core.Goals;
using TaskLens.Core.Traces;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Goals;

/// <summary>
/// Counts a trace's distinct spans in <c>spans_by_trace</c>, the copy of spans ordered by trace id that trace reads use:
/// a primary-key read of the few granules holding those traces, not a scan. <c>uniqExact</c> counts a span a retried
/// export stored twice once. Before schema step 111 a second view kept a per-trace count for this alone; it cost every
/// span insert a view (issue 20).
/// </summary>
/// <remarks>
/// Spans stored before <c>spans_by_trace</c> existed (an install older than schema step 13) are not counted: runs due now
/// are of recent traces, which it holds.
/// </remarks>
internal sealed class StoredSpanCounter(ClickHouseClient client) : IStoredSpanCounter
{
    public async Task<IReadOnlyDictionary<TraceId, ulong>> CountAsync(string tenant, IReadOnlyCollection<TraceId> traceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(traceIds);
        if (traceIds.Count == 0)
        {
            return new Dictionary<TraceId, ulong>();
        }

        // The earliest start of these traces (a scalar subquery, run before parts are picked) skips parts of older spans.
        var traces = $"tenant = {ClickHouseSql.Literal(tenant)} AND trace_id IN ({string.Join(", ", traceIds.Select(t => $"unhex('{t}')"))})";
        var rows = await client.QueryAsync(
            $"""
            SELECT lower(hex(trace_id)) AS c_trace, uniqExact(span_id) AS c_spans FROM spans_by_trace
            PREWHERE {traces}
            WHERE timestamp >= (SELECT min(start) FROM trace_index WHERE {traces})
            GROUP BY trace_id
            """,
            row => (Trace: row.GetString("c_trace"), Spans: row.GetUInt64("c_spans")),
            cancellationToken);
        var counts = new Dictionary<TraceId, ulong>(rows.Count);
        foreach (var (trace, spans) in rows)
        {
            if (TraceId.TryParse(trace, out var id))
            {
                counts[id] = spans;
            }
        }

        return counts;
    }
}
