using MediatR;

namespace TaskLens.Core.Traces;

/// <summary>
/// Every service of the tenant with spans in the window, with rate, errors and duration per operation: one read of the
/// per-minute operation rollup, so the page costs the same with ten million spans stored as with ten.
/// </summary>
public sealed record GetServiceBoard(string Tenant, DateTimeOffset From, DateTimeOffset To) : IRequest<IReadOnlyList<ServiceRow>>;

/// <param name="Spans">Spans of the service in the window.</param>
public sealed record ServiceRow(string Service, long Spans, long Errors, IReadOnlyList<OperationFigures> Operations);

internal sealed class GetServiceBoardHandler(IOperationReader operations) : IRequestHandler<GetServiceBoard, IReadOnlyList<ServiceRow>>
{
    public async Task<IReadOnlyList<ServiceRow>> Handle(GetServiceBoard request, CancellationToken cancellationToken) =>
        (await operations.AllOperationsAsync(request.Tenant, request.From, request.To, cancellationToken))
            .GroupBy(o => o.Service, StringComparer.Ordinal)
            .Select(g => new ServiceRow(g.Key, g.Sum(o => o.Spans), g.Sum(o => o.Errors), g.OrderByDescending(o => o.Spans).ToList()))
            .OrderByDescending(r => r.Spans).ThenBy(r => r.Service, StringComparer.Ordinal)
            .ToList();
}
