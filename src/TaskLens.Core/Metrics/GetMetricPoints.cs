using MediatR;

namespace TaskLens.Core.Metrics;

/// <summary>The tenant's metric names, and the points of <see cref="Query"/> when one is given (oldest first).</summary>
public sealed record GetMetricPoints(string Tenant, MetricQuery? Query) : IRequest<MetricPoints>;

public sealed record MetricPoints(IReadOnlyList<(string Name, MetricType Type, string Unit)> Names, IReadOnlyList<StoredMetricPoint> Points);

internal sealed class GetMetricPointsHandler(IMetricReader metrics) : IRequestHandler<GetMetricPoints, MetricPoints>
{
    public async Task<MetricPoints> Handle(GetMetricPoints request, CancellationToken cancellationToken) => new(
        await metrics.ListMetricsAsync(request.Tenant, cancellationToken),
        request.Query is { } query ? await metrics.QueryPointsAsync(query, cancellationToken) : []);
}
