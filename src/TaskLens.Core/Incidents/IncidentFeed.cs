using MediatR;

namespace TaskLens.Core.Incidents;

/// <summary>
/// The incident domain events as a C# event, for open dashboard pages: each page subscribes while it is shown and
/// throttles its own re-rendering. Handlers run on the publisher's thread, so <see cref="Changed"/> must return fast.
/// </summary>
public sealed class IncidentFeed :
    INotificationHandler<IncidentOpened>, INotificationHandler<IncidentUpdated>, INotificationHandler<IncidentResolved>
{
    public event Action<Incident>? Changed;

    public Task Handle(IncidentOpened notification, CancellationToken cancellationToken) => Raise(notification.Incident);

    public Task Handle(IncidentUpdated notification, CancellationToken cancellationToken) => Raise(notification.Incident);

    public Task Handle(IncidentResolved notification, CancellationToken cancellationToken) => Raise(notification.Incident);

    private Task Raise(Incident incident)
    {
        Changed?.Invoke(incident);
        return Task.CompletedTask;
    }
}
