namespace TaskLens.Core.Access;

/// <summary>
/// A local user: signs in with name and password, belongs to one tenant, holds one role. <see cref="Version"/> rises
/// with every change, so an admin's edit made on a stale view is refused instead of overwriting another's.
/// </summary>
public sealed record AppUser(
    string Id,
    string Name,
    string Tenant,
    Role Role,
    string PasswordHash,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? DisabledAt,
    long Version)
{
    public bool IsActive => DisabledAt is null;
}
