namespace TaskLens.Core.Access;

/// <summary>
/// Where users live (the embedded SQLite database by default; a PostgreSQL store can implement the same port).
/// Changes are compare-and-set on <see cref="AppUser.Version"/>.
/// </summary>
public interface IUserStore
{
    /// <summary>The user with this sign-in name (names are unique across tenants, case-insensitive), or null.</summary>
    Task<AppUser?> FindByNameAsync(string name, CancellationToken cancellationToken);

    Task<AppUser?> FindByIdAsync(string id, CancellationToken cancellationToken);

    /// <summary>The tenant's users, by name.</summary>
    Task<IReadOnlyList<AppUser>> ListAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Whether any user exists (the first admin is created only when none does).</summary>
    Task<bool> AnyAsync(CancellationToken cancellationToken);

    /// <summary>Adds the user; false when the name is taken.</summary>
    Task<bool> AddAsync(AppUser user, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="user"/> (role, password hash, disabled) if the stored version is still
    /// <paramref name="expectedVersion"/>; the stored version becomes <c>expectedVersion + 1</c>. False when another change came first.
    /// </summary>
    Task<bool> UpdateAsync(AppUser user, long expectedVersion, CancellationToken cancellationToken);
}
