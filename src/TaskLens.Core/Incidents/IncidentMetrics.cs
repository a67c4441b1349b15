using System.Diagnostics.Metrics;
using MediatR;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;

namespace TaskLens.Core.Incidents;

/// <summary>
/// Alert intake and incidents for <c>/metrics</c>: alerts taken by source and what each did to its alert's state
/// (opened, repeated, re-fired, resolved…), and incidents opened (by severity) and resolved, counted from the domain events.
/// </summary>
public sealed class IncidentMetrics : ISelfMetrics, INotificationHandler<IncidentOpened>, INotificationHandler<IncidentResolved>
{
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _opened;
    private readonly Counter<long> _resolved;

    public IncidentMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(CoreMeter.Name);
        _alerts = meter.CreateCounter<long>("tasklens.alerts.taken", "{alert}", "Alert events stored by the intake, by source and change (opened, repeated, refired, resolved, …)");
        _opened = meter.CreateCounter<long>("tasklens.incidents.opened", "{incident}", "Incidents opened (by correlation or a split), by severity");
        _resolved = meter.CreateCounter<long>("tasklens.incidents.resolved", "{incident}", "Incidents resolved (by a person, their last alert, or merged away)");
    }

    internal void AlertsTaken(IReadOnlyList<(AlertState State, AlertChange Change)> results)
    {
        foreach (var (state, change) in results)
        {
            _alerts.Add(1, new KeyValuePair<string, object?>("source", state.Source), new KeyValuePair<string, object?>("change", Lower(change)));
        }
    }

    public Task Handle(IncidentOpened notification, CancellationToken cancellationToken)
    {
        _opened.Add(1, new KeyValuePair<string, object?>("severity", Lower(notification.Incident.Severity)));
        return Task.CompletedTask;
    }

    public Task Handle(IncidentResolved notification, CancellationToken cancellationToken)
    {
        _resolved.Add(1);
        return Task.CompletedTask;
    }

#pragma warning disable CA1308 // label values are lower case by Prometheus convention, never compared
    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
#pragma warning restore CA1308
}
