using System.Globalization;
using MediatR;
using TaskLens.Core.Briefs;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Incidents;
using TaskLens.Slack.Messages;

namespace TaskLens.Slack.Delivery;

/// <summary>
/// Reads what an incident's message and thread reply show: its timeline (who did what, and what changed since the
/// message last showed it), its alerts' titles, and the Slack users linked to the people in it.
/// </summary>
internal sealed class IncidentFacts(IIncidentStore incidents, IAlertIntakeStore alerts, SlackUsers users, IMediator mediator)
{
    private const int TopAlerts = 5;

    /// <param name="shownVersion">The version the message showed last (0 before it is posted).</param>
    public async Task<(IncidentCard Card, string? Reply)> ReadAsync(Incident incident, long shownVersion, bool buttons, string more, CancellationToken cancellationToken)
    {
        // A change that failed to store part-way can leave rows past the stored version; they are not part of it.
        var timeline = (await incidents.TimelineAsync(incident.Tenant, incident.Id, cancellationToken).ConfigureAwait(false))
            .Where(e => e.Version <= incident.Version).ToList();
        var members = await incidents.MembersAsync(incident.Tenant, [incident.Id], cancellationToken).ConfigureAwait(false);
        var fresh = timeline.Where(e => e.Version > shownVersion && e.Kind != IncidentEventKind.Opened).ToList();
        var wanted = members.OrderByDescending(m => m.JoinedAt).Take(TopAlerts).Select(m => m.AlertId)
            .Concat(fresh.Where(e => e.Kind == IncidentEventKind.AlertJoined).Take(TopAlerts).Select(e => e.AlertId))
            .Distinct(StringComparer.Ordinal).ToList();
        var states = wanted.Count == 0 ? [] : await alerts.FindAsync(incident.Tenant, wanted, cancellationToken).ConfigureAwait(false);
        var titles = states.ToDictionary(s => IncidentAlert.IdOf(s.Source, s.Fingerprint), s => s.Title, StringComparer.Ordinal);

        var mentions = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var person in timeline.Where(e => e.Kind is IncidentEventKind.Acknowledged or IncidentEventKind.Resolved or IncidentEventKind.Reopened
                     or IncidentEventKind.Assigned or IncidentEventKind.MergedInto)
                 .SelectMany(e => new[] { e.Actor, e.Kind == IncidentEventKind.Assigned ? e.Text : "" })
                 .Where(p => p.Length > 0 && p != IncidentBoard.System).Distinct(StringComparer.Ordinal))
        {
            mentions[person] = await users.SlackUsersOfAsync(person, cancellationToken).ConfigureAwait(false);
        }

        // The brief's one paragraph (the narrative's once accepted, else its facts'); the incident's own facts without one.
        var brief = await mediator.Send(new GetIncidentBrief(incident.Tenant, incident.Id), cancellationToken).ConfigureAwait(false);
        var summary = brief is { Summary.Length: > 0 } ? brief.Summary : Summary(incident, members.OrderByDescending(m => m.JoinedAt).Take(TopAlerts)
            .Select(m => titles.GetValueOrDefault(m.AlertId) ?? m.AlertId).ToList());
        return (new IncidentCard(incident, summary, TimelineSummary.Activity(timeline, mentions), buttons), TimelineSummary.Reply(fresh, titles, more));
    }

    /// <summary>The incident's own facts in a paragraph, until a written brief is there to show.</summary>
    internal static string Summary(Incident incident, IReadOnlyList<string> latestAlerts)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{incident.Title}. {incident.Alerts} {(incident.Alerts == 1 ? "alert" : "alerts")} ({incident.FiringAlerts} still firing), first at {incident.OpenedAt:yyyy-MM-dd HH:mm} UTC, last change {incident.UpdatedAt:HH:mm:ss} UTC.");
        return latestAlerts.Count == 0 ? text : text + " Latest alerts: " + string.Join("; ", latestAlerts) + ".";
    }
}
