using MediatR;
using TaskLens.Core.Briefs;

namespace TaskLens.Briefs;

/// <summary>
/// <see cref="RegenerateIncidentBrief"/>: at most once per <see cref="BriefOptions.RegenerateMinInterval"/> and within
/// the model budget, counted in the stored brief, so asking another node does not get round either.
/// </summary>
internal sealed class RegenerateIncidentBriefHandler(BriefBook book, BriefService briefs, BriefOptions options, LlmOptions llm) : IRequestHandler<RegenerateIncidentBrief, RegenerateResult>
{
    public async Task<RegenerateResult> Handle(RegenerateIncidentBrief request, CancellationToken cancellationToken)
    {
        var stored = await book.FindAsync(request.Tenant, request.Id, cancellationToken);
        if (book.RegenerateWait(stored) is { } wait && wait > TimeSpan.Zero)
        {
            return new RegenerateResult(RegenerateOutcome.RateLimited, null, wait, $"The brief was regenerated less than {options.RegenerateMinInterval.TotalSeconds:0} s ago.");
        }

        if (llm.Configured && book.Budget(stored) is { Left: <= 0 } budget)
        {
            return new RegenerateResult(RegenerateOutcome.RateLimited, null, budget.RetryAfter,
                $"The incident's budget of {llm.MaxCallsPerIncidentPerHour} model calls per hour is spent.");
        }

        return await briefs.WriteAsync(request.Tenant, request.Id, force: true, allowModel: true, cancellationToken) is { } brief
            ? new RegenerateResult(RegenerateOutcome.Done, brief, TimeSpan.Zero, "")
            : new RegenerateResult(RegenerateOutcome.NotFound, null, TimeSpan.Zero, "");
    }
}
