using MediatR;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Goals;
using TaskLens.Core.Traces;

namespace TaskLens.Core.Incidents;

/// <summary>One incident with everything an on-call person reads first.</summary>
public sealed record GetIncident(string Tenant, string Id) : IRequest<IncidentDetail?>;

/// <param name="Alerts">Its alerts now: why each joined, and the alert's current state at its source (null if unknown).</param>
/// <param name="Timeline">Every change, oldest first.</param>
/// <param name="Goals">Figures of the goals its alerts name, over the incident's time.</param>
/// <param name="SampleTraces">Failed runs of those goals, and traces with an error span in its services.</param>
public sealed record IncidentDetail(
    Incident Incident,
    IReadOnlyList<(IncidentAlert Membership, AlertState? Alert)> Alerts,
    IReadOnlyList<IncidentEvent> Timeline,
    IReadOnlyList<GoalFigures> Goals,
    IReadOnlyList<SampleTrace> SampleTraces);

internal sealed class GetIncidentHandler(IIncidentStore store, IAlertIntakeStore alerts, IGoalReader goals, ITraceReader traces, TimeProvider time)
    : IRequestHandler<GetIncident, IncidentDetail?>
{
    private const int SamplesPerGoal = 3;
    private const int SamplesPerService = 3;

    /// <summary>How far before the incident opened its goals and traces are read.</summary>
    private static readonly TimeSpan Lead = TimeSpan.FromMinutes(15);

    public async Task<IncidentDetail?> Handle(GetIncident request, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(request.Tenant, request.Id, cancellationToken) is not { } incident)
        {
            return null;
        }

        var members = await store.MembersAsync(request.Tenant, [request.Id], cancellationToken);
        var states = (await alerts.FindAsync(request.Tenant, members.Select(m => m.AlertId).ToList(), cancellationToken))
            .ToDictionary(s => IncidentAlert.IdOf(s.Source, s.Fingerprint), StringComparer.Ordinal);

        // A change that failed to store part-way can leave rows past the stored version; they are not part of it.
        var timeline = (await store.TimelineAsync(request.Tenant, request.Id, cancellationToken)).Where(e => e.Version <= incident.Version).ToList();

        var from = incident.OpenedAt - Lead;
        var to = (incident.ResolvedAt ?? time.GetUtcNow()) + TimeSpan.FromMinutes(1);
        var related = incident.Goals.Count == 0
            ? []
            : (await goals.ListGoalsAsync(request.Tenant, from, to, cancellationToken))
                .Where(g => incident.Goals.Contains(g.GoalName.ToLowerInvariant(), StringComparer.Ordinal)).ToList();
        var samples = new List<SampleTrace>();
        foreach (var goal in related)
        {
            var failed = await goals.RunsAsync(new GoalRunQuery(request.Tenant, goal.GoalName, from, to, GoalRunOutcome.Failed, 0, SamplesPerGoal), cancellationToken);
            samples.AddRange(failed.Select(r => new SampleTrace(r.Service, r.RunId, r.GoalName, "goal run failed",
                DateTimeOffset.FromUnixTimeMilliseconds((long)(r.EndUnixNano / 1_000_000)))));
        }

        samples.AddRange(await traces.ErrorTracesAsync(request.Tenant, incident.Services, from, to, SamplesPerService, cancellationToken));
        return new IncidentDetail(
            incident,
            members.Where(m => m.Version <= incident.Version).Select(m => (m, states.GetValueOrDefault(m.AlertId))).ToList(),
            timeline,
            related,
            samples);
    }
}
