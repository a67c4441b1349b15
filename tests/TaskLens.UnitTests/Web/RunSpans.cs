using System.Globalization;
using TaskLens.Core.Goals;
using TaskLens.Core.Traces;

namespace TaskLens.UnitTests.Web;

/// <summary>A synthetic agent run as stored spans: a goal span, a planner, and tool calls under it, some failing.</summary>
internal static class RunSpans
{
    public const string TraceId = "0af7651916cd43dd8448eb211c80319c";

    public static StoredSpan Span(ulong id, ulong parent, string name, ulong start, ulong durationNano, bool error = false, string service = "agent") => new()
    {
        TraceId = TraceId,
        SpanId = Hex(id),
        ParentSpanId = parent == 0 ? "" : Hex(parent),
        TraceState = "",
        Flags = 0,
        Name = name,
        Kind = 1,
        StartTimeUnixNano = start,
        EndTimeUnixNano = start + durationNano,
        Attributes = [],
        DroppedAttributesCount = 0,
        Events = [],
        DroppedEventsCount = 0,
        Links = [],
        DroppedLinksCount = 0,
        StatusCode = error ? 2 : 0,
        StatusMessage = error ? "tool failed" : "",
        ServiceName = service,
        Resource = new StoredResource([], 0, ""),
        Scope = new StoredScope("", "", [], 0, ""),
    };

    /// <summary>Goal span 1, planner 2 under it, <paramref name="tools"/> tool calls under the planner (every 50th fails), one summarize span that failed.</summary>
    public static RunDetail Run(int tools)
    {
        const ulong t0 = 1_700_000_000_000_000_000;
        var spans = new List<StoredSpan>
        {
            Span(1, 0, "invoke_agent triage", t0, 10_000_000_000),
            Span(2, 1, "plan", t0 + 1_000, 9_000_000_000),
            Span(3, 1, "summarize", t0 + 9_500_000_000, 400_000_000, error: true),
        };
        for (var i = 0; i < tools; i++)
        {
            spans.Add(Span(100 + (ulong)i, 2, "execute_tool search", t0 + 2_000 + (ulong)i, 1_000_000, error: i % 50 == 49));
        }

        var run = new GoalRun
        {
            Tenant = "default",
            GoalName = "triage",
            RunId = TraceId,
            Rule = GoalRule.Agent,
            GoalSpanId = 1,
            Service = "agent",
            Outcome = GoalRunOutcome.Failed,
            StartUnixNano = t0,
            EndUnixNano = t0 + 10_000_000_000,
            ToolCalls = tools,
            OtherSubTasks = 2,
            CriticalPathSpanIds = [2],
            Version = (ulong)spans.Count,
        };
        var tree = new SubTaskTree(spans, Hex(1));
        var groups = tree.Groups.Select(g => new RunGroup(g, 0, 0, 0, g.Operation == "plan")).ToList();
        return new RunDetail(run, tree, groups, TraceWaterfall.Build(spans, new HashSet<string> { Hex(2) }), new HashSet<string> { Hex(2) }, spans.Count, spans.Count);
    }

    private static string Hex(ulong id) => id.ToString("x16", CultureInfo.InvariantCulture);
}
