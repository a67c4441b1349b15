namespace TaskLens.Core.Findings;

/// <summary>Stores alerts (the alerts table).</summary>
public interface IFindingSink
{
    Task WriteAsync(IReadOnlyList<Finding> alerts, CancellationToken cancellationToken);
}
