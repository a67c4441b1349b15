using Bunit;
using TaskLens.Core.Goals;
using TaskLens.Web.Components.Widgets;

namespace TaskLens.UnitTests.Web;

public sealed class RunOutlierNoteTests : IAsyncLifetime
{
    private readonly DashboardTestContext _context = new();

    [Fact]
    public void Render_Outlier_ShowsTheReasonAndWhatItWasComparedWith()
    {
        var outlier = new RunOutlier("r1", "triage", 41.5, 9.2, "tool_calls", 34.3, "this run called tools 34.3× more than usual (205 tool calls, usually 5)");

        var note = _context.Render<RunOutlierNote>(p => p.Add(c => c.Outlier, outlier).Add(c => c.TrainedOn, 1200));

        var text = note.Find("#run-outlier").TextContent;
        Assert.Contains("Unusual run: this run called tools 34.3× more than usual (205 tool calls, usually 5)", text, StringComparison.Ordinal);
        Assert.Contains("score 41.5 over a threshold of 9.2", text, StringComparison.Ordinal);
        Assert.Contains("1,200 of the goal's runs", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(84, "A usual run for its goal (compared with 84 of its runs).")]
    [InlineData(0, "Not compared with the goal's usual runs: the goal has too few finished runs for a model.")]
    public void Render_NoOutlier_SaysWhetherTheRunWasCompared(int trainedOn, string expected)
    {
        var note = _context.Render<RunOutlierNote>(p => p.Add(c => c.Outlier, null).Add(c => c.TrainedOn, trainedOn));

        Assert.Equal(expected, note.Find("#run-outlier").TextContent.Trim());
        Assert.Empty(note.FindAll(".mud-alert"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();
}
