namespace TaskLens.Core.Findings;

/// <summary>Stores findings (the alerts table).</summary>
public interface IFindingSink
{
    Task WriteAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken);
}
