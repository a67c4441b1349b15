using MediatR;
using TaskLens.Core.Incidents;

namespace TaskLens.Briefs;

/// <summary>
/// Hears the incident domain events and marks the brief due; never waits, so an incident change is never slowed by
/// its brief. An update that only recorded a brief is not a change to brief again.
/// </summary>
internal sealed class BriefSubscriber(BriefService briefs)
    : INotificationHandler<IncidentOpened>, INotificationHandler<IncidentUpdated>, INotificationHandler<IncidentResolved>
{
    public Task Handle(IncidentOpened notification, CancellationToken cancellationToken)
    {
        briefs.Schedule(notification.Incident.Tenant, notification.Incident.Id, material: true);
        return Task.CompletedTask;
    }

    public Task Handle(IncidentUpdated notification, CancellationToken cancellationToken)
    {
        if (notification.Events.Any(e => e.Kind != IncidentEventKind.BriefWritten))
        {
            // Material or not is decided against the facts when the brief is written (services, goals, severity, status).
            briefs.Schedule(notification.Incident.Tenant, notification.Incident.Id, material: true);
        }

        return Task.CompletedTask;
    }

    public Task Handle(IncidentResolved notification, CancellationToken cancellationToken)
    {
        briefs.Schedule(notification.Incident.Tenant, notification.Incident.Id, material: true);
        return Task.CompletedTask;
    }
}
