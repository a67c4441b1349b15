using MediatR;

namespace TaskLens.Core.Incidents;

/// <summary>A page of incidents (see <see cref="IncidentQuery"/>); merged-away incidents only when asked for by status.</summary>
public sealed record ListIncidents(IncidentQuery Query) : IRequest<IReadOnlyList<Incident>>;

internal sealed class ListIncidentsHandler(IIncidentStore store) : IRequestHandler<ListIncidents, IReadOnlyList<Incident>>
{
    public Task<IReadOnlyList<Incident>> Handle(ListIncidents request, CancellationToken cancellationToken) => store.ListAsync(request.Query, cancellationToken);
}
