namespace TaskLens.Core.Access;

/// <summary>Where stored keys and tokens live (digests only). A PostgreSQL store can implement the same port.</summary>
public interface IAccessKeyStore
{
    Task AddAsync(AccessKey key, CancellationToken cancellationToken);

    /// <summary>The tenant's keys and tokens, newest first, revoked ones included.</summary>
    Task<IReadOnlyList<AccessKey>> ListAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Every key not revoked, of every tenant: what the in-memory directory answers from.</summary>
    Task<IReadOnlyList<AccessKey>> ListActiveAsync(CancellationToken cancellationToken);

    /// <summary>Revokes the tenant's key if it is still active; false when unknown, of another tenant, or already revoked.</summary>
    Task<bool> RevokeAsync(string tenant, string id, string by, DateTimeOffset at, CancellationToken cancellationToken);
}
