namespace TaskLens.Core.Traces;

/// <summary>A trace's spans by start time, each with its depth below its root and its place in time.</summary>
public static class TraceWaterfall
{
    private const int MaxDepth = 64;

    public static IReadOnlyList<WaterfallSpan> Build(IReadOnlyList<StoredSpan> spans, IReadOnlySet<string> criticalPath)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(criticalPath);
        if (spans.Count == 0)
        {
            return [];
        }

        var byId = new Dictionary<string, StoredSpan>(StringComparer.Ordinal);
        foreach (var span in spans)
        {
            byId.TryAdd(span.SpanId, span);
        }

        var start = spans.Min(s => s.StartTimeUnixNano);
        int DepthOf(StoredSpan span)
        {
            var depth = 0;
            for (var s = span; s.ParentSpanId.Length > 0 && byId.TryGetValue(s.ParentSpanId, out var parent) && depth < MaxDepth; s = parent)
            {
                depth++;
            }

            return depth;
        }

        return byId.Values.OrderBy(s => s.StartTimeUnixNano).ThenBy(s => s.SpanId, StringComparer.Ordinal)
            .Select(s => new WaterfallSpan(
                s,
                DepthOf(s),
                (s.StartTimeUnixNano - start) / 1e6,
                (s.EndTimeUnixNano > s.StartTimeUnixNano ? s.EndTimeUnixNano - s.StartTimeUnixNano : 0) / 1e6,
                criticalPath.Contains(s.SpanId)))
            .ToList();
    }
}
