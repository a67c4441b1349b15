using MediatR;

namespace TaskLens.Core.Traces;

/// <summary>Every service of the tenant with rate, errors and duration per operation over the window.</summary>
public sealed record GetServiceBoard(string Tenant, DateTimeOffset From, DateTimeOffset To) : IRequest<IReadOnlyList<ServiceRow>>;

public sealed record ServiceRow(ServiceSummary Service, IReadOnlyList<OperationFigures> Operations);

internal sealed class GetServiceBoardHandler(ITraceReader traces, IOperationReader operations) : IRequestHandler<GetServiceBoard, IReadOnlyList<ServiceRow>>
{
    public async Task<IReadOnlyList<ServiceRow>> Handle(GetServiceBoard request, CancellationToken cancellationToken)
    {
        var services = await traces.GetServicesAsync(request.Tenant, cancellationToken);
        var rows = new List<ServiceRow>(services.Count);
        foreach (var service in services.OrderByDescending(s => s.LastSeen))
        {
            var figures = await operations.OperationsAsync(request.Tenant, service.Name, request.From, request.To, cancellationToken);
            rows.Add(new ServiceRow(service, figures.OrderByDescending(f => f.Spans).ToList()));
        }

        return rows;
    }
}
