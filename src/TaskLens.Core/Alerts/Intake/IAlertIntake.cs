namespace TaskLens.Core.Alerts.Intake;

/// <summary>Takes alert events from any source into the dedup book and storage.</summary>
public interface IAlertIntake
{
    Task<IReadOnlyList<(AlertState State, AlertChange Change)>> AcceptAsync(IReadOnlyList<AlertEvent> events, CancellationToken cancellationToken);
}
