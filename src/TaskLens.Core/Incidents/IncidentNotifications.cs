using MediatR;

namespace TaskLens.Core.Incidents;

// The three domain events sit together: they are one small vocabulary, published by IncidentService after a change is
// stored, for the brief writer, Slack and the dashboard to subscribe to (INotificationHandler<T>).

/// <summary>An incident was opened (by correlation, or by a split); <see cref="Events"/> are its first timeline entries.</summary>
public sealed record IncidentOpened(Incident Incident, IReadOnlyList<IncidentEvent> Events) : INotification;

/// <summary>An open incident changed: alerts joined or resolved, or a person triaged it.</summary>
public sealed record IncidentUpdated(Incident Incident, IReadOnlyList<IncidentEvent> Events) : INotification;

/// <summary>An incident was resolved (by a person, or automatically when its last alert resolved), or merged away.</summary>
public sealed record IncidentResolved(Incident Incident, IReadOnlyList<IncidentEvent> Events) : INotification;
