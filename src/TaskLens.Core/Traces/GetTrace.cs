using MediatR;

namespace TaskLens.Core.Traces;

/// <summary>One trace as a waterfall; empty when the id is not a trace id or the trace is unknown.</summary>
public sealed record GetTrace(string Tenant, string TraceId) : IRequest<IReadOnlyList<WaterfallSpan>>;

internal sealed class GetTraceHandler(ITraceReader traces) : IRequestHandler<GetTrace, IReadOnlyList<WaterfallSpan>>
{
    public async Task<IReadOnlyList<WaterfallSpan>> Handle(GetTrace request, CancellationToken cancellationToken) =>
        TraceId.TryParse(request.TraceId.Trim().ToLowerInvariant(), out var id) && id != default
            ? TraceWaterfall.Build(await traces.GetTraceAsync(request.Tenant, id, 0, ITraceReader.MaxSpansPerRead, cancellationToken), new HashSet<string>())
            : [];
}
