using Bunit;
using Microsoft.AspNetCore.Components.Web;
using TaskLens.Web.Components.Widgets;

namespace TaskLens.UnitTests.Web;

public sealed class RunTreeTests : IAsyncLifetime
{
    private readonly DashboardTestContext _context = new();

    [Fact]
    public void Model_FiveThousandSubTasks_ShowsGroupsCollapsedWithErrorsFirst()
    {
        var model = new RunTreeModel(RunSpans.Run(5_000));

        // The goal's group opens by itself; under it, the failed "summarize" comes before "plan", and plan stays shut.
        Assert.Equal(["invoke_agent triage", "summarize", "plan"], model.Rows.Select(r => r.Group.Group.Operation));
        Assert.All(model.Rows, r => Assert.Equal(RunTreeRowKind.Group, r.Kind));
        var plan = model.Rows.Single(r => r.Group.Group.Operation == "plan");
        Assert.True(plan.OnCriticalPath);
        Assert.False(model.IsExpanded(plan.Group.Group.Id));
    }

    [Fact]
    public void Model_ExpandGroupOfThousands_ShowsAPageOfSpansErrorsFirstThenMore()
    {
        var model = new RunTreeModel(RunSpans.Run(5_000));
        model.Toggle(model.Rows.Single(r => r.Group.Group.Operation == "plan").Group.Group.Id);
        var tools = model.Rows.Single(r => r.Kind == RunTreeRowKind.Group && r.Group.Group.Operation == "execute_tool search");
        Assert.Equal((5_000, 100), (tools.Group.Group.Count, tools.Group.Group.Errors));

        model.Toggle(tools.Group.Group.Id);
        var spans = model.Rows.Where(r => r.Kind == RunTreeRowKind.Span && r.Group == tools.Group).ToList();
        Assert.Equal(RunTreeModel.SpansPerPage, spans.Count);
        Assert.All(spans, s => Assert.Equal(2, s.Span!.StatusCode));
        Assert.Equal(4_900, model.Rows.Single(r => r.Kind == RunTreeRowKind.More).Remaining);

        model.ShowMore(tools.Group.Group.Id);
        var shown = model.Rows.Where(r => r.Kind == RunTreeRowKind.Span && r.Group == tools.Group).ToList();
        Assert.Equal(2 * RunTreeModel.SpansPerPage, shown.Count);
        Assert.Equal(0, shown[100].Span!.StatusCode);
    }

    [Fact]
    public async Task RunTree_ClickGroup_ExpandsItAndRendersOnlyAWindowOfRows()
    {
        var model = new RunTreeModel(RunSpans.Run(5_000));
        var tree = _context.Render<RunTree>(p => p.Add(c => c.Model, model));
        Assert.Equal(3, tree.FindAll(".run-tree-row.group").Count);
        Assert.Single(tree.FindAll(".run-tree-row.critical"));

        // The second button exists only once the first click has rendered.
        await tree.Find("button[aria-label='Expand plan']").ClickAsync(new MouseEventArgs());
        tree.WaitForAssertion(() => Assert.Single(tree.FindAll("button[aria-label='Expand execute_tool search']")));
        await tree.Find("button[aria-label='Expand execute_tool search']").ClickAsync(new MouseEventArgs());
        var tools = model.Rows.Single(r => r.Kind == RunTreeRowKind.Group && r.Group.Group.Operation == "execute_tool search").Group.Group.Id;
        for (var i = 0; i < 10; i++)
        {
            model.ShowMore(tools);
        }

        tree.Render(p => p.Add(c => c.Model, model));
        tree.WaitForAssertion(() => Assert.Equal("true", tree.Find("button[aria-label='Collapse plan']").ParentElement!.GetAttribute("aria-expanded")));

        // 4 groups, the planner's own span, 1,100 tool spans and the "more" row exist; the virtualized list renders
        // only what fits its viewport (the "more" row, far below, is not in the page at all).
        Assert.Equal(4 + 1 + 1_100 + 1, model.Rows.Count);
        Assert.Empty(tree.FindAll(".run-tree-more"));
        var rendered = tree.FindAll(".run-tree-row").Count;
        Assert.InRange(rendered, 4, 200);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are only asynchronously disposable.
    public Task DisposeAsync() => _context.DisposeAsync().AsTask();
}
