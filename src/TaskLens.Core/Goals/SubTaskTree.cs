using TaskLens.Core.Traces;

namespace TaskLens.Core.Goals;

/// <summary>
/// A run's spans collapsed into groups by operation (<see cref="SubTaskGroup"/>), so a 5,000-sub-task run reads as a
/// handful of rows; <see cref="SpansOf"/> pages into any group. The goal span's ancestors are left out.
/// </summary>
public sealed class SubTaskTree
{
    private readonly List<SubTaskGroup> _groups = [];
    private readonly List<List<StoredSpan>> _members = [];

    /// <summary>Collapses <paramref name="spans"/> (one trace) below the span <paramref name="goalSpanId"/> (hex; empty when none).</summary>
    public SubTaskTree(IReadOnlyList<StoredSpan> spans, string goalSpanId)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var byId = new Dictionary<string, StoredSpan>(StringComparer.Ordinal);
        var children = new Dictionary<string, List<StoredSpan>>(StringComparer.Ordinal);
        foreach (var span in spans)
        {
            byId.TryAdd(span.SpanId, span);
        }

        foreach (var span in byId.Values)
        {
            if (span.ParentSpanId.Length > 0 && byId.ContainsKey(span.ParentSpanId))
            {
                if (!children.TryGetValue(span.ParentSpanId, out var list))
                {
                    children[span.ParentSpanId] = list = [];
                }

                list.Add(span);
            }
        }

        var excluded = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<int>();
        if (byId.TryGetValue(goalSpanId, out var goal))
        {
            for (var up = goal; up.ParentSpanId.Length > 0 && byId.TryGetValue(up.ParentSpanId, out up) && excluded.Add(up.SpanId);)
            {
            }

            queue.Enqueue(AddGroup(null, 0, [goal]));
        }

        // Spans whose parent never arrived (and which are not the goal's ancestors) head groups of their own.
        var heads = byId.Values
            .Where(s => s.SpanId != goalSpanId && !excluded.Contains(s.SpanId) && (s.ParentSpanId.Length == 0 || !byId.ContainsKey(s.ParentSpanId)))
            .ToList();
        foreach (var group in GroupByOperation(heads))
        {
            queue.Enqueue(AddGroup(null, 0, group));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (queue.TryDequeue(out var id))
        {
            var below = new List<StoredSpan>();
            foreach (var member in _members[id])
            {
                if (seen.Add(member.SpanId) && children.TryGetValue(member.SpanId, out var list))
                {
                    below.AddRange(list.Where(c => !excluded.Contains(c.SpanId)));
                }
            }

            foreach (var group in GroupByOperation(below))
            {
                queue.Enqueue(AddGroup(id, _groups[id].Depth + 1, group));
            }
        }
    }

    public IReadOnlyList<SubTaskGroup> Groups => _groups;

    /// <summary>The spans of one group by start time, paged; empty for an unknown group.</summary>
    public IReadOnlyList<StoredSpan> SpansOf(int groupId, int offset, int limit) =>
        groupId >= 0 && groupId < _members.Count ? _members[groupId].Skip(offset).Take(limit).ToList() : [];

    private static IEnumerable<List<StoredSpan>> GroupByOperation(List<StoredSpan> spans) =>
        spans.GroupBy(s => s.Name, StringComparer.Ordinal)
            .Select(g => g.OrderBy(s => s.StartTimeUnixNano).ThenBy(s => s.SpanId, StringComparer.Ordinal).ToList())
            .OrderBy(g => g[0].StartTimeUnixNano).ThenBy(g => g[0].Name, StringComparer.Ordinal);

    private int AddGroup(int? parentId, int depth, List<StoredSpan> members)
    {
        var durations = members.Select(s => (s.EndTimeUnixNano > s.StartTimeUnixNano ? s.EndTimeUnixNano - s.StartTimeUnixNano : 0) / 1e6).Order().ToList();
        var id = _groups.Count;
        _groups.Add(new SubTaskGroup
        {
            Id = id,
            ParentId = parentId,
            Operation = members[0].Name,
            Service = members[0].ServiceName,
            Depth = depth,
            Count = members.Count,
            Errors = members.Count(s => s.StatusCode == 2),
            DurationP50Ms = NearestRank(durations, 0.50),
            DurationP95Ms = NearestRank(durations, 0.95),
            DurationMaxMs = durations[^1],
            FirstStartUnixNano = members.Min(s => s.StartTimeUnixNano),
            LastEndUnixNano = members.Max(s => s.EndTimeUnixNano),
        });
        _members.Add(members);
        return id;
    }

    private static double NearestRank(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
