namespace TaskLens.Core.Briefs;

/// <summary>
/// Incidents' current briefs in the state database (SQLite, or PostgreSQL shared by several nodes), so a restarted node
/// or another node serves the brief already written instead of asking the model again. Every read is by tenant and
/// incident id.
/// </summary>
public interface IBriefStore
{
    Task<StoredBrief?> FindAsync(string tenant, string incidentId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="brief"/> as revision <paramref name="expectedRevision"/> + 1 if the stored one is still
    /// <paramref name="expectedRevision"/> (0: none is stored yet); false, storing nothing, when another writer came first.
    /// </summary>
    Task<bool> TryWriteAsync(StoredBrief brief, long expectedRevision, CancellationToken cancellationToken);
}
