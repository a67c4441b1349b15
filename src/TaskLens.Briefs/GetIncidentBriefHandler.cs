using MediatR;
using TaskLens.Core.Briefs;

namespace TaskLens.Briefs;

/// <summary>
/// <see cref="GetIncidentBrief"/>: the stored brief (whichever node wrote it), or the facts computed now (the narrative
/// follows in the background).
/// </summary>
internal sealed class GetIncidentBriefHandler(BriefBook book, BriefService briefs) : IRequestHandler<GetIncidentBrief, IncidentBrief?>
{
    public async Task<IncidentBrief?> Handle(GetIncidentBrief request, CancellationToken cancellationToken)
    {
        if (await book.FindAsync(request.Tenant, request.Id, cancellationToken) is { } stored)
        {
            return stored.Brief;
        }

        var brief = await briefs.WriteAsync(request.Tenant, request.Id, force: false, allowModel: false, cancellationToken);
        if (brief is not null && brief.Narrative.Status == "pending")
        {
            briefs.Schedule(request.Tenant, request.Id, material: true);
        }

        return brief;
    }
}
