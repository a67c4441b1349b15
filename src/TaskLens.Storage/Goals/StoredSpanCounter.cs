using TaskLens.Core.Goals;
using TaskLens.Core.Traces;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Goals;

/// <summary>
/// Reads <c>trace_spans</c>, kept per trace and day by a materialized view over spans: a primary-key lookup, not a scan
/// of the spans. <c>uniq</c> counts a span a retried export stored twice once (exact up to 65,536 spans of a trace).
/// </summary>
internal sealed class StoredSpanCounter(ClickHouseClient client) : IStoredSpanCounter
{
    public async Task<IReadOnlyDictionary<TraceId, ulong>> CountAsync(string tenant, IReadOnlyCollection<TraceId> traceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(traceIds);
        if (traceIds.Count == 0)
        {
            return new Dictionary<TraceId, ulong>();
        }

        var ids = string.Join(", ", traceIds.Select(t => $"unhex('{t}')"));
        var rows = await client.QueryAsync(
            $"SELECT lower(hex(trace_id)) AS c_trace, uniqMerge(spans) AS c_spans FROM trace_spans WHERE tenant = {ClickHouseSql.Literal(tenant)} AND trace_id IN ({ids}) GROUP BY trace_id",
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
