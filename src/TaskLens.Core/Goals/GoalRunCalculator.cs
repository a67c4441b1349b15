using System.Buffers;
using System.Globalization;

namespace TaskLens.Core.Goals;

/// <summary>
/// Computes a <see cref="GoalRun"/> from the spans of one trace: finds the goal span by the configured rules, then
/// counts everything else in the trace (but the goal span's ancestors) as its sub-tasks. Pure: the same spans give
/// the same run, which is what makes re-finalization idempotent.
/// </summary>
internal sealed class GoalRunCalculator(GoalOptions options, ModelPriceTable prices)
{
    /// <summary>Deeper than this the critical path stops descending (a runaway recursion must not overflow the stack).</summary>
    private const int MaxCriticalPathDepth = 256;

    private readonly IReadOnlyList<GoalRule> _rules = options.EffectiveRules;

    /// <summary>The goal span by the rules, or null when none applies yet (no marker and no root span arrived).</summary>
    public (RunSpan Span, GoalRule Rule, string Name)? FindGoal(OpenRun run)
    {
        foreach (var rule in _rules)
        {
            if (Outermost(run, rule) is { } goal)
            {
                return (goal, rule, NameOf(goal, rule));
            }
        }

        return null;
    }

    /// <summary>The run as it stands; <paramref name="abandoned"/> when its goal span did not arrive in time.</summary>
    public GoalRun Compute(OpenRun run, bool abandoned)
    {
        var found = FindGoal(run);
        var goal = found?.Span ?? Outermost(run, null) ?? default;
        var ancestors = Ancestors(run, goal);
        // Pooled: a 5,000-sub-task run would otherwise put ~700 KB on the large-object heap per finalization.
        var pooled = ArrayPool<RunSpan>.Shared.Rent(run.Spans.Count);
        try
        {
            var count = 0;
            foreach (var span in run.Spans.Values)
            {
                if (span.SpanId != goal.SpanId && !ancestors.Contains(span.SpanId))
                {
                    pooled[count++] = span;
                }
            }

            var subTasks = pooled.AsSpan(0, count);
            subTasks.Sort(static (a, b) => a.StartUnixNano != b.StartUnixNano ? a.StartUnixNano.CompareTo(b.StartUnixNano) : a.SpanId.CompareTo(b.SpanId));
            return Compute(run, abandoned, found, goal, pooled, count);
        }
        finally
        {
            ArrayPool<RunSpan>.Shared.Return(pooled);
        }
    }

    private GoalRun Compute(OpenRun run, bool abandoned, (RunSpan Span, GoalRule Rule, string Name)? found, RunSpan goal, RunSpan[] tasks, int count)
    {
        var subTasks = new ReadOnlySpan<RunSpan>(tasks, 0, count);
        var children = ChildrenOf(goal, subTasks);
        var untracked = run.Untracked ?? UntrackedTotals.None;
        var byKind = (int[])untracked.ByKind.Clone();
        long input = untracked.InputTokens, output = untracked.OutputTokens, cached = untracked.CachedTokens;
        var cost = untracked.Cost;
        int priced = untracked.PricedCalls, unpriced = untracked.UnpricedCalls;
        var errors = untracked.Errors + (goal.IsError ? 1 : 0);
        var throttled = untracked.Throttled;
        ulong start = goal.StartUnixNano, end = goal.EndUnixNano;
        RunSpan? firstError = goal.IsError ? goal : null;
        foreach (var span in subTasks)
        {
            byKind[(int)span.Kind]++;
            start = Math.Min(start, span.StartUnixNano);
            end = Math.Max(end, span.EndUnixNano);
            throttled += span.Throttled ? 1 : 0;
            if (span.IsError)
            {
                errors++;
                if (firstError is null || (span.EndUnixNano, span.SpanId).CompareTo((firstError.Value.EndUnixNano, firstError.Value.SpanId)) < 0)
                {
                    firstError = span;
                }
            }

            // Tokens are counted on model calls only: an agent span may repeat its calls' usage as a total.
            if (span.Kind == SubTaskKind.Llm)
            {
                input += span.InputTokens;
                output += span.OutputTokens;
                cached += span.CachedTokens;
                if (span.InputTokens + span.OutputTokens > 0)
                {
                    if (prices.TryFind(span.Model, out var price))
                    {
                        cost += price.CostOf(span.InputTokens, span.OutputTokens, span.CachedTokens);
                        priced++;
                    }
                    else
                    {
                        unpriced++;
                    }
                }
            }
        }

        var shape = Shape(children);
        var criticalPath = found is null ? new CriticalPath([], 0, false) : CriticalPathOf(goal, tasks, children);
        var outcome = abandoned ? GoalRunOutcome.Abandoned
            : goal.IsError || criticalPath.HasError ? GoalRunOutcome.Failed
            : GoalRunOutcome.Completed;
        return new GoalRun
        {
            Tenant = run.Tenant,
            GoalName = found?.Name ?? RootName(goal),
            RunId = run.TraceIdHigh.ToString("x16", CultureInfo.InvariantCulture) + run.TraceIdLow.ToString("x16", CultureInfo.InvariantCulture),
            Rule = found?.Rule ?? GoalRule.None,
            GoalSpanId = found is null ? 0 : goal.SpanId,
            Service = goal.Service,
            Outcome = outcome,
            StartUnixNano = start,
            EndUnixNano = end,
            LlmCalls = byKind[(int)SubTaskKind.Llm],
            ToolCalls = byKind[(int)SubTaskKind.Tool],
            DbCalls = byKind[(int)SubTaskKind.Db],
            HttpCalls = byKind[(int)SubTaskKind.Http],
            OtherSubTasks = byKind[(int)SubTaskKind.Other],
            FanOut = shape.FanOut,
            Depth = shape.Depth,
            InputTokens = input,
            OutputTokens = output,
            CachedTokens = cached,
            ServiceCalls = CallsOf(run),
            Cost = priced > 0 ? cost : null,
            UnpricedCalls = unpriced,
            Errors = errors,
            FirstError = firstError?.ErrorMessage ?? "",
            FirstErrorSpanId = firstError?.SpanId ?? 0,
            Throttled = throttled,
            Retries = untracked.Retries + Retries(subTasks),
            CriticalPathNano = criticalPath.Nano,
            CriticalPathSpanIds = criticalPath.SpanIds,
            SpansNotTracked = run.UntrackedIds?.Count ?? 0,
            Version = run.Version,
        };
    }

    private static bool Matches(in RunSpan span, GoalRule rule) => rule switch
    {
        GoalRule.Explicit => (span.Markers & GoalMarkers.Explicit) != 0,
        GoalRule.Workflow => (span.Markers & GoalMarkers.Workflow) != 0,
        GoalRule.Agent => (span.Markers & GoalMarkers.Agent) != 0,
        GoalRule.Framework => (span.Markers & GoalMarkers.Framework) != 0,
        GoalRule.Root => span.ParentSpanId == 0,
        _ => false,
    };

    private static string NameOf(in RunSpan span, GoalRule rule) => rule switch
    {
        GoalRule.Explicit => span.ExplicitGoal!,
        GoalRule.Workflow => span.WorkflowName ?? span.Name,
        GoalRule.Agent => span.AgentName ?? span.Name,
        GoalRule.Framework => span.FrameworkName ?? span.Name,
        _ => RootName(span),
    };

    /// <summary>A root-rule goal is named by where it runs and what it is: <c>service/span name</c>.</summary>
    private static string RootName(in RunSpan span) => span.Service + "/" + span.Name;

    /// <summary>How many of the span's ancestors are present in the run.</summary>
    private static int Level(OpenRun run, RunSpan span)
    {
        var level = 0;
        while (span.ParentSpanId != 0 && run.Spans.TryGetValue(span.ParentSpanId, out span) && level < run.Spans.Count)
        {
            level++;
        }

        return level;
    }

    /// <summary>
    /// The outermost span matching <paramref name="rule"/> (any span when null): fewest ancestors present, then the
    /// earliest start, then the lowest id, so the choice is stable. With no goal span a run is described by its
    /// outermost span of all.
    /// </summary>
    private static RunSpan? Outermost(OpenRun run, GoalRule? rule)
    {
        RunSpan? best = null;
        var bestLevel = int.MaxValue;
        foreach (var span in run.Spans.Values)
        {
            if (rule is { } r && !Matches(span, r))
            {
                continue;
            }

            var level = Level(run, span);
            if (best is null || level < bestLevel
                || (level == bestLevel && (span.StartUnixNano, span.SpanId).CompareTo((best.Value.StartUnixNano, best.Value.SpanId)) < 0))
            {
                best = span;
                bestLevel = level;
            }
        }

        return best;
    }

    private static HashSet<ulong> Ancestors(OpenRun run, RunSpan goal)
    {
        var ancestors = new HashSet<ulong>();
        var span = goal;
        while (span.ParentSpanId != 0 && run.Spans.TryGetValue(span.ParentSpanId, out span) && ancestors.Add(span.SpanId))
        {
        }

        return ancestors;
    }

    /// <summary>
    /// Each span's children as positions in the sub-task array; the goal span is position -1. Index lists, not copies:
    /// spans are ~150 bytes and a run may have thousands.
    /// </summary>
    private static Dictionary<int, List<int>> ChildrenOf(RunSpan goal, ReadOnlySpan<RunSpan> subTasks)
    {
        var positions = new Dictionary<ulong, int>(subTasks.Length + 1) { [goal.SpanId] = -1 };
        for (var i = 0; i < subTasks.Length; i++)
        {
            positions.TryAdd(subTasks[i].SpanId, i);
        }

        var children = new Dictionary<int, List<int>>();
        for (var i = 0; i < subTasks.Length; i++)
        {
            if (subTasks[i].ParentSpanId != 0 && positions.TryGetValue(subTasks[i].ParentSpanId, out var parent) && parent != i)
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add(i);
            }
        }

        return children;
    }

    /// <summary>Each (caller, callee) once: spans whose parent is in another service. Names are pooled, so most compare by reference.</summary>
    private static IReadOnlyList<(string Caller, string Callee)> CallsOf(OpenRun run)
    {
        HashSet<(string, string)>? calls = null;
        foreach (var span in run.Spans.Values)
        {
            if (span.ParentSpanId != 0 && run.Spans.TryGetValue(span.ParentSpanId, out var parent)
                && !ReferenceEquals(parent.Service, span.Service) && !string.Equals(parent.Service, span.Service, StringComparison.Ordinal))
            {
                (calls ??= []).Add((parent.Service, span.Service));
            }
        }

        return calls is null ? [] : [.. calls];
    }

    /// <summary>
    /// Fan-out (the most children of one span) and depth (levels below the goal) of the goal's subtree, breadth-first,
    /// each span once even if ids form a cycle.
    /// </summary>
    private static (int FanOut, int Depth) Shape(Dictionary<int, List<int>> children)
    {
        int fanOut = 0, depth = 0;
        var seen = new HashSet<int> { -1 };
        var queue = new Queue<(int Position, int Level)>();
        queue.Enqueue((-1, 0));
        while (queue.TryDequeue(out var item))
        {
            depth = Math.Max(depth, item.Level);
            if (children.TryGetValue(item.Position, out var list))
            {
                fanOut = Math.Max(fanOut, list.Count);
                foreach (var child in list)
                {
                    if (seen.Add(child))
                    {
                        queue.Enqueue((child, item.Level + 1));
                    }
                }
            }
        }

        return (fanOut, depth);
    }

    /// <summary>
    /// A sub-task is a retry when the instrumentation marks it so, when its tool call id was already used in the run,
    /// or when an earlier sibling with the same name (same parent, same operation) failed or was throttled.
    /// </summary>
    private static int Retries(ReadOnlySpan<RunSpan> subTasksByStart)
    {
        var callIds = new HashSet<ulong>();
        var refused = new HashSet<(ulong Parent, string Name)>();
        var retries = 0;
        foreach (var span in subTasksByStart)
        {
            var repeatedCall = span.ToolCallId != 0 && !callIds.Add(span.ToolCallId);
            if (span.MarkedRetry || repeatedCall || (refused.Count > 0 && refused.Contains((span.ParentSpanId, span.Name))))
            {
                retries++;
            }

            if (span.IsError || span.Throttled)
            {
                refused.Add((span.ParentSpanId, span.Name));
            }
        }

        return retries;
    }

    /// <summary>
    /// The critical path: walking back from the goal span's end, the child that finished last is what the goal was
    /// waiting on, and so on down; then the child that finished last before that one started. Children running in
    /// parallel with the one on the path are not on it (as in Jaeger's critical path). Its time is what the goal
    /// waited on its direct children along the path. A failure on the final chain (the last-finishing child, its
    /// last-finishing child, and so on) fails the run; an earlier failure on the path was followed by more work, such
    /// as a retry, and does not.
    /// </summary>
    private static CriticalPath CriticalPathOf(RunSpan goal, RunSpan[] tasks, Dictionary<int, List<int>> children)
    {
        var segments = new List<(ulong SpanId, ulong Start)>();
        ulong waited = 0;
        var finalChainFailed = false;
        Walk(-1, goal, goal.EndUnixNano, 0, finalChain: true);
        segments.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var ids = new List<ulong>();
        var seen = new HashSet<ulong>();
        foreach (var segment in segments)
        {
            if (seen.Add(segment.SpanId))
            {
                ids.Add(segment.SpanId);
            }
        }

        return new CriticalPath(ids, waited, finalChainFailed);

        void Walk(int position, in RunSpan span, ulong until, int depth, bool finalChain)
        {
            if (!children.TryGetValue(position, out var list) || depth >= MaxCriticalPathDepth)
            {
                return;
            }

            var byEnd = list.ToArray();
            Array.Sort(byEnd, (a, b) => tasks[a].EndUnixNano != tasks[b].EndUnixNano
                ? tasks[b].EndUnixNano.CompareTo(tasks[a].EndUnixNano)
                : tasks[a].SpanId.CompareTo(tasks[b].SpanId));
            var cursor = Math.Min(span.EndUnixNano, until);
            var first = true;
            foreach (var childPosition in byEnd)
            {
                if (cursor <= span.StartUnixNano)
                {
                    break;
                }

                ref readonly var child = ref tasks[childPosition];
                if (child.StartUnixNano >= cursor || (!first && child.EndUnixNano > cursor))
                {
                    continue;
                }

                var childEnd = Math.Min(child.EndUnixNano, cursor);
                var childStart = Math.Max(child.StartUnixNano, span.StartUnixNano);
                if (childEnd > childStart)
                {
                    segments.Add((child.SpanId, childStart));
                    waited += depth == 0 ? childEnd - childStart : 0;
                    finalChainFailed |= finalChain && first && child.IsError;
                    Walk(childPosition, child, childEnd, depth + 1, finalChain && first);
                }

                cursor = childStart;
                first = false;
            }
        }
    }

    private sealed record CriticalPath(List<ulong> SpanIds, ulong Nano, bool HasError);
}
