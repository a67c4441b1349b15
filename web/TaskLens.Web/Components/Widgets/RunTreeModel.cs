using TaskLens.Core.Goals;
using TaskLens.Core.Traces;

namespace TaskLens.Web.Components.Widgets;

/// <summary>
/// The rows a run's sub-task tree shows now: groups (collapsed by operation) and, under an expanded group, its child
/// groups and then its spans, errors first, a page at a time. Only the visible rows exist, and the view virtualizes
/// those, so a 5,000-sub-task run is as quick as a small one.
/// </summary>
public sealed class RunTreeModel
{
    public const int SpansPerPage = 100;

    private readonly RunDetail _detail;
    private readonly ILookup<int?, RunGroup> _children;
    private readonly HashSet<int> _expanded = [];
    private readonly Dictionary<int, int> _shown = [];
    private readonly Dictionary<int, IReadOnlyList<StoredSpan>> _spans = [];

    public RunTreeModel(RunDetail detail)
    {
        _detail = detail;
        // Errors first among siblings, then by start: the failing branch is the first thing on screen.
        _children = detail.Groups.OrderByDescending(g => g.Group.Errors > 0).ThenBy(g => g.Group.FirstStartUnixNano).ToLookup(g => g.Group.ParentId);

        // The goal span's group opens by itself: its children are the run's first level of work.
        foreach (var root in _children[null].Where(g => g.Group.Id == 0))
        {
            _expanded.Add(root.Group.Id);
        }

        Rows = Build();
    }

    public IReadOnlyList<RunTreeRow> Rows { get; private set; }

    public bool IsExpanded(int groupId) => _expanded.Contains(groupId);

    public void Toggle(int groupId)
    {
        if (!_expanded.Remove(groupId))
        {
            _expanded.Add(groupId);
        }

        Rows = Build();
    }

    public void ShowMore(int groupId)
    {
        _shown[groupId] = Shown(groupId) + SpansPerPage;
        Rows = Build();
    }

    private int Shown(int groupId) => _shown.GetValueOrDefault(groupId, SpansPerPage);

    private List<RunTreeRow> Build()
    {
        var rows = new List<RunTreeRow>();
        foreach (var root in _children[null])
        {
            Add(root, 0, rows);
        }

        return rows;
    }

    private void Add(RunGroup group, int depth, List<RunTreeRow> rows)
    {
        var id = group.Group.Id;
        rows.Add(new RunTreeRow(RunTreeRowKind.Group, depth, group, null, group.OnCriticalPath, 0));
        if (!_expanded.Contains(id))
        {
            return;
        }

        foreach (var child in _children[id])
        {
            Add(child, depth + 1, rows);
        }

        // The goal span's own group is the run itself, which the page heads with: only its children are listed.
        var spans = id == 0 ? [] : SpansOf(group.Group);
        var shown = Math.Min(spans.Count, Shown(id));
        for (var i = 0; i < shown; i++)
        {
            rows.Add(new RunTreeRow(RunTreeRowKind.Span, depth + 1, group, spans[i], _detail.CriticalPath.Contains(spans[i].SpanId), 0));
        }

        if (shown < spans.Count)
        {
            rows.Add(new RunTreeRow(RunTreeRowKind.More, depth + 1, group, null, false, spans.Count - shown));
        }
    }

    private IReadOnlyList<StoredSpan> SpansOf(SubTaskGroup group)
    {
        if (!_spans.TryGetValue(group.Id, out var spans))
        {
            _spans[group.Id] = spans = _detail.Tree.SpansOf(group.Id, 0, group.Count)
                .OrderByDescending(s => s.StatusCode == 2).ThenBy(s => s.StartTimeUnixNano).ToList();
        }

        return spans;
    }
}

public enum RunTreeRowKind
{
    Group,
    Span,
    More,
}

/// <param name="Remaining">For a <see cref="RunTreeRowKind.More"/> row: spans of the group not shown yet.</param>
public sealed record RunTreeRow(RunTreeRowKind Kind, int Depth, RunGroup Group, StoredSpan? Span, bool OnCriticalPath, int Remaining);
