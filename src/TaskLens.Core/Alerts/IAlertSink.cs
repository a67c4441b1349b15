namespace TaskLens.Core.Alerts;

/// <summary>Stores alerts (the alerts table).</summary>
public interface IAlertSink
{
    Task WriteAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken);
}
