namespace TaskLens.Core.Logs;

/// <summary>Reads stored log records.</summary>
public interface ILogReader
{
    Task<IReadOnlyList<StoredLog>> QueryAsync(LogQuery query, CancellationToken cancellationToken);
}
