using System.Globalization;
using MediatR;
using TaskLens.Core.Traces;

namespace TaskLens.Core.Goals;

/// <summary>One goal run with its sub-tasks collapsed by operation; null when no such run is stored.</summary>
public sealed record GetRunDetail(string Tenant, string RunId) : IRequest<RunDetail?>;

/// <param name="Groups">Every group (as <see cref="SubTaskTree.Groups"/>) with its totals.</param>
/// <param name="Waterfall">Every span by start time when the run is small (at most <see cref="GetRunDetailHandler.WaterfallLimit"/> spans), else empty.</param>
/// <param name="CriticalPath">Span ids (hex) on the run's critical path.</param>
/// <param name="SpanCount">Spans read: the tree holds these, at most <see cref="ITraceReader.MaxSpansPerRead"/>.</param>
/// <param name="TotalSpans">Spans the run's trace has stored; more than <paramref name="SpanCount"/> when the read was cut short.</param>
/// <param name="Outlier">Why the run is unlike its goal's usual runs; null when it is usual (or no model could be trained).</param>
/// <param name="OutlierModelRuns">Runs the goal's outlier model learnt from (0: too few runs for a model).</param>
public sealed record RunDetail(
    GoalRun Run,
    SubTaskTree Tree,
    IReadOnlyList<RunGroup> Groups,
    IReadOnlyList<WaterfallSpan> Waterfall,
    IReadOnlySet<string> CriticalPath,
    int SpanCount,
    long TotalSpans,
    RunOutlier? Outlier = null,
    int OutlierModelRuns = 0)
{
    /// <summary>Whether the tree shows only the first <see cref="SpanCount"/> of <see cref="TotalSpans"/> spans.</summary>
    public bool Truncated => TotalSpans > SpanCount;
}

public sealed record RunGroup(SubTaskGroup Group, long InputTokens, long OutputTokens, double Cost, bool OnCriticalPath);

internal sealed class GetRunDetailHandler(IGoalReader goals, ITraceReader traces, ModelPriceTable prices, IRunOutlierJudge outliers)
    : IRequestHandler<GetRunDetail, RunDetail?>
{
    public const int WaterfallLimit = 300;

    public async Task<RunDetail?> Handle(GetRunDetail request, CancellationToken cancellationToken)
    {
        if (!TraceId.TryParse(request.RunId.ToLowerInvariant(), out var traceId) || traceId == default)
        {
            return null;
        }

        // The run and its spans are read together: the trace's id is the run's. One span more than is used tells
        // whether the run has more than the tree can hold; only then are they counted.
        var spansRead = traces.GetTraceAsync(request.Tenant, traceId, 0, ITraceReader.MaxSpansPerRead + 1, cancellationToken);
        if (await goals.RunAsync(request.Tenant, traceId.ToString(), cancellationToken) is not { } run)
        {
            await spansRead;
            return null;
        }

        var read = await spansRead;
        var spans = read.Count > ITraceReader.MaxSpansPerRead ? read.Take(ITraceReader.MaxSpansPerRead).ToList() : read;
        var total = read.Count > ITraceReader.MaxSpansPerRead ? await traces.CountSpansAsync(request.Tenant, traceId, cancellationToken) : spans.Count;
        var tree = new SubTaskTree(spans, run.GoalSpanId == 0 ? "" : Hex(run.GoalSpanId));
        var critical = run.CriticalPathSpanIds.Select(Hex).ToHashSet(StringComparer.Ordinal);
        var groups = tree.Groups.Select(g =>
        {
            long input = 0, output = 0;
            var cost = 0.0;
            var onPath = false;
            foreach (var span in tree.SpansOf(g.Id, 0, g.Count))
            {
                var usage = SpanUsage.Of(span, prices);
                (input, output, cost) = (input + usage.InputTokens, output + usage.OutputTokens, cost + usage.Cost);
                onPath |= critical.Contains(span.SpanId);
            }

            return new RunGroup(g, input, output, cost, onPath);
        }).ToList();
        var (outlier, trainedOn) = await outliers.JudgeAsync(run, cancellationToken);
        return new RunDetail(
            run, tree, groups, spans.Count <= WaterfallLimit ? TraceWaterfall.Build(spans, critical) : [], critical, spans.Count, Math.Max(total, read.Count), outlier, trainedOn);
    }

    private static string Hex(ulong id) => id.ToString("x16", CultureInfo.InvariantCulture);
}
