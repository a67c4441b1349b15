using MediatR;
using TaskLens.Core.Incidents;

namespace TaskLens.Slack.Delivery;

/// <summary>
/// Core's incident domain events, handed to the outbox: publishing runs inside the incident writer's call, so this only
/// notes the newest state and returns; the delivery loop talks to Slack.
/// </summary>
internal sealed class IncidentEventsHandler(SlackOutbox outbox)
    : INotificationHandler<IncidentOpened>, INotificationHandler<IncidentUpdated>, INotificationHandler<IncidentResolved>
{
    public Task Handle(IncidentOpened notification, CancellationToken cancellationToken) => Add(notification.Incident);

    public Task Handle(IncidentUpdated notification, CancellationToken cancellationToken) => Add(notification.Incident);

    public Task Handle(IncidentResolved notification, CancellationToken cancellationToken) => Add(notification.Incident);

    private Task Add(Incident incident)
    {
        outbox.Add(incident);
        return Task.CompletedTask;
    }
}
