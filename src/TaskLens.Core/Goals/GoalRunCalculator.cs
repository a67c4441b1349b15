using System.Globalization;

namespace TaskLens.Core.Goals;

/// <summary>
/// Computes a <see cref="GoalRun"/> from the spans of one trace: finds the goal span by the configured rules, then
/// counts everything else in the trace (but the goal span's ancestors) as its sub-tasks. Pure: the same spans give
/// the same run, which is what makes re-finalization idempotent.
/// </summary>
/// <remarks>
/// The sweep finalizes every run of the sustained rate (issue 20: as much CPU as the drainer's decode), so a run is
/// computed without allocating but for the <see cref="GoalRun"/> itself: spans are addressed by their index in the
/// run (<see cref="RunSpanSet"/>), parents are looked up once, sub-tasks are sorted as small keys by a struct
/// comparison, children are one flat array, and the scratch arrays and sets are kept from run to run. Not
/// thread-safe: the rollup calls it under its lock, one run at a time.
/// </remarks>
internal sealed class GoalRunCalculator(GoalOptions options, ModelPriceTable prices)
{
    /// <summary>Deeper than this the critical path stops descending (a runaway recursion must not overflow the stack).</summary>
    private const int MaxCriticalPathDepth = 256;

    /// <summary>Scratch sets larger than this are made anew rather than cleared, so one huge run does not tax the rest.</summary>
    private const int ScratchSetKept = 1_024;

    /// <summary>An array, so the loop over it per finalized run takes no enumerator.</summary>
    private readonly GoalRule[] _rules = [.. options.EffectiveRules];
    private readonly GoalRunScratch _scratch = new();
    private HashSet<ulong> _callIds = [];
    private HashSet<(ulong Parent, string Name)> _refused = [];
    private HashSet<(string Caller, string Callee)> _calls = [];
    private readonly List<(string Caller, string Callee)> _callOrder = [];
    private readonly List<(ulong Start, int Position)> _segments = [];

    /// <summary>The run as it stands; <paramref name="abandoned"/> when its goal span did not arrive in time.</summary>
    public GoalRun Compute(OpenRun run, bool abandoned)
    {
        var spans = run.Spans;
        var s = _scratch;
        s.Prepare(spans.Count);
        for (var i = 0; i < spans.Count; i++)
        {
            s.Parents[i] = spans[i].ParentSpanId == 0 ? -1 : run.Spans.IndexOf(spans[i].ParentSpanId);
        }

        var rule = GoalRule.None;
        var goalIndex = -1;
        foreach (var candidate in _rules)
        {
            if ((goalIndex = Outermost(spans, candidate)) >= 0)
            {
                rule = candidate;
                break;
            }
        }

        var found = goalIndex >= 0;
        goalIndex = found ? goalIndex : Outermost(spans, null);
        var goal = spans[goalIndex];

        // The goal span's ancestors present in the run are not its sub-tasks.
        for (var p = goalIndex; s.Parents[p] >= 0 && !s.Ancestor[s.Parents[p]];)
        {
            p = s.Parents[p];
            s.Ancestor[p] = true;
        }

        var count = 0;
        for (var i = 0; i < spans.Count; i++)
        {
            if (i != goalIndex && !s.Ancestor[i])
            {
                s.ByStart[count++] = new GoalRunScratch.StartKey(spans[i].StartUnixNano, spans[i].SpanId, i);
            }
        }

        // Start, then span id: unique keys, so the order is the same whatever the sort.
        Array.Sort(s.ByStart, 0, count);
        for (var k = 0; k < count; k++)
        {
            s.Positions[s.ByStart[k].Index] = k;
        }

        var untracked = run.Untracked ?? UntrackedTotals.None;
        Span<int> byKind = stackalloc int[5];
        untracked.ByKind.CopyTo(byKind);
        long input = untracked.InputTokens, output = untracked.OutputTokens, cached = untracked.CachedTokens;
        var cost = untracked.Cost;
        int priced = untracked.PricedCalls, unpriced = untracked.UnpricedCalls;
        var errors = untracked.Errors + (goal.IsError ? 1 : 0);
        var throttled = untracked.Throttled;
        ulong start = goal.StartUnixNano, end = goal.EndUnixNano;
        var firstError = goal.IsError ? goalIndex : -1;
        for (var k = 0; k < count; k++)
        {
            var index = s.ByStart[k].Index;
            var span = spans[index];
            byKind[(int)span.Kind]++;
            start = Math.Min(start, span.StartUnixNano);
            end = Math.Max(end, span.EndUnixNano);
            throttled += span.Throttled ? 1 : 0;
            if (span.IsError)
            {
                errors++;
                if (firstError < 0 || (span.EndUnixNano, span.SpanId).CompareTo((spans[firstError].EndUnixNano, spans[firstError].SpanId)) < 0)
                {
                    firstError = index;
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

        ChildrenOf(goalIndex, count);
        var (fanOut, depth) = Shape(count);
        ulong criticalNano = 0;
        var criticalFailed = false;
        ulong[] criticalIds = [];
        if (found)
        {
            (criticalIds, criticalNano, criticalFailed) = CriticalPathOf(spans, goalIndex);
        }

        var outcome = abandoned ? GoalRunOutcome.Abandoned
            : goal.IsError || criticalFailed ? GoalRunOutcome.Failed
            : GoalRunOutcome.Completed;
        return new GoalRun
        {
            Tenant = run.Tenant,
            GoalName = found ? NameOf(goal, rule) : RootName(goal),
            RunId = RunIdOf(run.TraceIdHigh, run.TraceIdLow),
            Rule = rule,
            GoalSpanId = found ? goal.SpanId : 0,
            Service = goal.Service,
            Outcome = outcome,
            StartUnixNano = start,
            EndUnixNano = end,
            LlmCalls = byKind[(int)SubTaskKind.Llm],
            ToolCalls = byKind[(int)SubTaskKind.Tool],
            DbCalls = byKind[(int)SubTaskKind.Db],
            HttpCalls = byKind[(int)SubTaskKind.Http],
            OtherSubTasks = byKind[(int)SubTaskKind.Other],
            FanOut = fanOut,
            Depth = depth,
            InputTokens = input,
            OutputTokens = output,
            CachedTokens = cached,
            ServiceCalls = CallsOf(spans),
            Cost = priced > 0 ? cost : null,
            UnpricedCalls = unpriced,
            Errors = errors,
            FirstError = firstError >= 0 ? spans[firstError].ErrorMessage : "",
            FirstErrorSpanId = firstError >= 0 ? spans[firstError].SpanId : 0,
            Throttled = throttled,
            Retries = untracked.Retries + Retries(spans, count),
            CriticalPathNano = criticalNano,
            CriticalPathSpanIds = criticalIds,
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

    private static string RunIdOf(ulong high, ulong low) => string.Create(32, (high, low), static (text, id) =>
    {
        id.high.TryFormat(text, out _, "x16", CultureInfo.InvariantCulture);
        id.low.TryFormat(text[16..], out _, "x16", CultureInfo.InvariantCulture);
    });

    /// <summary>How many of the span's ancestors are present in the run (at most the run's size, if ids form a cycle).</summary>
    private int Level(int index, int spans)
    {
        var level = 0;
        while (_scratch.Parents[index] >= 0 && level < spans)
        {
            index = _scratch.Parents[index];
            level++;
        }

        return level;
    }

    /// <summary>
    /// The index of the outermost span matching <paramref name="rule"/> (any span when null), -1 when none: fewest
    /// ancestors present, then the earliest start, then the lowest id, so the choice is stable. With no goal span a run
    /// is described by its outermost span of all.
    /// </summary>
    private int Outermost(RunSpanSet spans, GoalRule? rule)
    {
        var best = -1;
        var bestLevel = int.MaxValue;
        for (var i = 0; i < spans.Count; i++)
        {
            if (rule is { } r && !Matches(spans[i], r))
            {
                continue;
            }

            var level = Level(i, spans.Count);
            if (best < 0 || level < bestLevel
                || (level == bestLevel && (spans[i].StartUnixNano, spans[i].SpanId).CompareTo((spans[best].StartUnixNano, spans[best].SpanId)) < 0))
            {
                best = i;
                bestLevel = level;
            }
        }

        return best;
    }

    /// <summary>
    /// Each sub-task's children, as positions in start order, in one flat array (<see cref="GoalRunScratch.Children"/>,
    /// node n's from <c>ChildStart[n]</c>): node 0 is the goal span, node k + 1 the sub-task at position k.
    /// </summary>
    private void ChildrenOf(int goalIndex, int count)
    {
        var s = _scratch;
        for (var k = 0; k < count; k++)
        {
            var parent = s.Parents[s.ByStart[k].Index];
            s.ParentNode[k] = parent < 0 ? -1
                : parent == goalIndex ? 0
                : s.Ancestor[parent] || s.Positions[parent] == k ? -1
                : s.Positions[parent] + 1;
            if (s.ParentNode[k] >= 0)
            {
                s.ChildStart[s.ParentNode[k] + 1]++;
            }
        }

        for (var node = 0; node <= count; node++)
        {
            s.ChildStart[node + 1] += s.ChildStart[node];
            s.Fill[node] = s.ChildStart[node];
        }

        for (var k = 0; k < count; k++)
        {
            if (s.ParentNode[k] >= 0)
            {
                s.Children[s.Fill[s.ParentNode[k]]++] = k;
            }
        }
    }

    /// <summary>
    /// Fan-out (the most children of one span) and depth (levels below the goal) of the goal's subtree, breadth-first,
    /// each span once even if ids form a cycle.
    /// </summary>
    private (int FanOut, int Depth) Shape(int count)
    {
        var s = _scratch;
        int fanOut = 0, depth = 0, head = 0, tail = 0;
        s.Queue[tail++] = 0;
        s.Seen[0] = true;
        s.Level[0] = 0;
        while (head < tail)
        {
            var node = s.Queue[head++];
            depth = Math.Max(depth, s.Level[node]);
            var children = s.ChildStart[node + 1] - s.ChildStart[node];
            fanOut = Math.Max(fanOut, children);
            for (var c = s.ChildStart[node]; c < s.ChildStart[node + 1]; c++)
            {
                var child = s.Children[c] + 1;
                if (!s.Seen[child])
                {
                    s.Seen[child] = true;
                    s.Level[child] = s.Level[node] + 1;
                    s.Queue[tail++] = child;
                }
            }
        }

        return (fanOut, depth);
    }

    /// <summary>Each (caller, callee) once, in order of first sight: spans whose parent is in another service.</summary>
    private (string Caller, string Callee)[] CallsOf(RunSpanSet spans)
    {
        _calls = Reset(_calls);
        _callOrder.Clear();
        for (var i = 0; i < spans.Count; i++)
        {
            var parent = _scratch.Parents[i];
            if (parent < 0 || ReferenceEquals(spans[parent].Shape, spans[i].Shape))
            {
                continue;
            }

            // Names are pooled, so most compare by reference.
            string caller = spans[parent].Service, callee = spans[i].Service;
            if (!ReferenceEquals(caller, callee) && !string.Equals(caller, callee, StringComparison.Ordinal) && _calls.Add((caller, callee)))
            {
                _callOrder.Add((caller, callee));
            }
        }

        return _callOrder.Count == 0 ? [] : _callOrder.ToArray();
    }

    /// <summary>
    /// A sub-task is a retry when the instrumentation marks it so, when its tool call id was already used in the run,
    /// or when an earlier sibling with the same name (same parent, same operation) failed or was throttled.
    /// </summary>
    private int Retries(RunSpanSet spans, int count)
    {
        _callIds = Reset(_callIds);
        _refused = Reset(_refused);
        var retries = 0;
        for (var k = 0; k < count; k++)
        {
            var span = spans[_scratch.ByStart[k].Index];
            var repeatedCall = span.ToolCallId != 0 && !_callIds.Add(span.ToolCallId);
            if (span.MarkedRetry || repeatedCall || (_refused.Count > 0 && _refused.Contains((span.ParentSpanId, span.Name))))
            {
                retries++;
            }

            if (span.IsError || span.Throttled)
            {
                _refused.Add((span.ParentSpanId, span.Name));
            }
        }

        return retries;
    }

    private static HashSet<T> Reset<T>(HashSet<T> set)
    {
        if (set.Count > ScratchSetKept)
        {
            return [];
        }

        set.Clear();
        return set;
    }

    /// <summary>
    /// The critical path: walking back from the goal span's end, the child that finished last is what the goal was
    /// waiting on, and so on down; then the child that finished last before that one started. Children running in
    /// parallel with the one on the path are not on it (as in Jaeger's critical path). Its time is what the goal
    /// waited on its direct children along the path. A failure on the final chain (the last-finishing child, its
    /// last-finishing child, and so on) fails the run; an earlier failure on the path was followed by more work, such
    /// as a retry, and does not.
    /// </summary>
    private (ulong[] SpanIds, ulong Nano, bool HasError) CriticalPathOf(RunSpanSet spans, int goalIndex)
    {
        _segments.Clear();
        ulong waited = 0;
        var finalChainFailed = false;
        Walk(spans, 0, spans[goalIndex], spans[goalIndex].EndUnixNano, 0, finalChain: true, ref waited, ref finalChainFailed);

        // By start only, by the same sort as ever: spans clamped to their parent's start tie, and their order is the
        // one this sort leaves. Each span is on the path once (the children form a tree below the goal).
        _segments.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var ids = new ulong[_segments.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = spans[_scratch.ByStart[_segments[i].Position].Index].SpanId;
        }

        return (ids, waited, finalChainFailed);
    }

    private void Walk(RunSpanSet spans, int node, in RunSpan span, ulong until, int depth, bool finalChain, ref ulong waited, ref bool finalChainFailed)
    {
        var s = _scratch;
        int from = s.ChildStart[node], to = s.ChildStart[node + 1];
        if (from == to || depth >= MaxCriticalPathDepth)
        {
            return;
        }

        // Latest end first, then the lowest id: unique keys.
        for (var c = from; c < to; c++)
        {
            var child = s.Children[c];
            s.ByEnd[c] = new GoalRunScratch.EndKey(spans[s.ByStart[child].Index].EndUnixNano, s.ByStart[child].SpanId, child);
        }

        Array.Sort(s.ByEnd, from, to - from);
        var cursor = Math.Min(span.EndUnixNano, until);
        var first = true;
        for (var c = from; c < to; c++)
        {
            if (cursor <= span.StartUnixNano)
            {
                break;
            }

            var position = s.ByEnd[c].Position;
            var child = spans[s.ByStart[position].Index];
            if (child.StartUnixNano >= cursor || (!first && child.EndUnixNano > cursor))
            {
                continue;
            }

            var childEnd = Math.Min(child.EndUnixNano, cursor);
            var childStart = Math.Max(child.StartUnixNano, span.StartUnixNano);
            if (childEnd > childStart)
            {
                _segments.Add((childStart, position));
                waited += depth == 0 ? childEnd - childStart : 0;
                finalChainFailed |= finalChain && first && child.IsError;
                Walk(spans, position + 1, child, childEnd, depth + 1, finalChain && first, ref waited, ref finalChainFailed);
            }

            cursor = childStart;
            first = false;
        }
    }
}
