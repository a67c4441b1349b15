using System.Security.Cryptography;

namespace TaskLens.Core.Access;

/// <summary>
/// Users and stored keys: create, verify, change, revoke. Passwords go through <see cref="IPasswordHasher"/> (ASP.NET
/// Core Identity's PBKDF2 hasher in the server; old hashes are upgraded on sign-in); keys are random and kept as digests. Every operation is scoped to a tenant: an admin never sees another tenant's users or keys.
/// </summary>
public sealed class AccessService(IUserStore users, IAccessKeyStore keys, AccessKeyDirectory directory, IPasswordHasher hasher, TimeProvider time)
{
    // Verified against when the name is unknown, so a wrong name takes as long as a wrong password.
    private readonly Lazy<string> _decoyHash = new(() => hasher.Hash(Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));

    /// <summary>The active user with this name and password, or null (unknown name, wrong password, disabled).</summary>
    public async Task<AppUser?> VerifyPasswordAsync(string name, string password, CancellationToken cancellationToken)
    {
        var user = string.IsNullOrEmpty(name) ? null : await users.FindByNameAsync(name.Trim(), cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            hasher.Verify(_decoyHash.Value, password ?? "");
            return null;
        }

        var result = hasher.Verify(user.PasswordHash, password ?? "");
        if (result == PasswordCheck.Failed || !user.IsActive)
        {
            return null;
        }

        if (result == PasswordCheck.SuccessRehashNeeded)
        {
            var upgraded = user with { PasswordHash = hasher.Hash(password!), Version = user.Version + 1 };
            if (await users.UpdateAsync(upgraded, user.Version, cancellationToken).ConfigureAwait(false))
            {
                return upgraded;
            }
        }

        return user;
    }

    /// <summary>Adds a user to the tenant; the reason when the input is invalid or the name is taken.</summary>
    public async Task<(AppUser? User, string? Problem)> CreateUserAsync(
        string tenant, string name, Role role, string password, string by, CancellationToken cancellationToken)
    {
        name = name?.Trim() ?? "";
        if ((AccessRules.CheckTenant(tenant) ?? AccessRules.CheckName(name) ?? AccessRules.CheckPassword(password)) is { } problem)
        {
            return (null, char.ToUpperInvariant(problem[0]) + problem[1..]);
        }

        var user = new AppUser(NewId("usr"), name, tenant, role, hasher.Hash(password), time.GetUtcNow(), by, null, 1);
        return await users.AddAsync(user, cancellationToken).ConfigureAwait(false)
            ? (user, null)
            : (null, $"The name '{name}' is taken.");
    }

    /// <summary>
    /// Creates the first admin when no user exists yet (from the command line or <c>TaskLens:Access:FirstAdmin</c>);
    /// false when users already exist.
    /// </summary>
    public async Task<(bool Created, string? Problem)> EnsureFirstAdminAsync(string tenant, string name, string password, CancellationToken cancellationToken)
    {
        if (await users.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            return (false, null);
        }

        var (user, problem) = await CreateUserAsync(tenant, name, Role.Admin, password, "first start", cancellationToken).ConfigureAwait(false);
        return (user is not null, problem);
    }

    public Task<IReadOnlyList<AppUser>> ListUsersAsync(string tenant, CancellationToken cancellationToken) => users.ListAsync(tenant, cancellationToken);

    /// <summary>Changes a user's role, password or enabled state, if still at <paramref name="expectedVersion"/>.</summary>
    public async Task<AccessChange> ChangeUserAsync(
        string tenant, string id, long expectedVersion, string actingUserId, Role? role, string? password, bool? active, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id, cancellationToken).ConfigureAwait(false);
        if (user is null || user.Tenant != tenant)
        {
            return AccessChange.NotFound;
        }

        if (user.Version != expectedVersion)
        {
            return AccessChange.Stale;
        }

        if (id == actingUserId && ((role is { } r && r != Role.Admin) || active == false))
        {
            return AccessChange.Refused("You cannot demote or disable yourself: ask another admin, so a tenant always keeps one.");
        }

        if (password is not null && AccessRules.CheckPassword(password) is { } problem)
        {
            return AccessChange.Refused(char.ToUpperInvariant(problem[0]) + problem[1..]);
        }

        var changed = user with
        {
            Role = role ?? user.Role,
            PasswordHash = password is null ? user.PasswordHash : hasher.Hash(password),
            DisabledAt = active switch { true => null, false => user.DisabledAt ?? time.GetUtcNow(), null => user.DisabledAt },
            Version = expectedVersion + 1,
        };
        return await users.UpdateAsync(changed, expectedVersion, cancellationToken).ConfigureAwait(false) ? AccessChange.Done : AccessChange.Stale;
    }

    /// <summary>The user behind a sign-in cookie, if still active: a disabled or removed user is signed out on the next request.</summary>
    public async Task<AppUser?> CurrentUserAsync(string id, CancellationToken cancellationToken) =>
        await users.FindByIdAsync(id, cancellationToken).ConfigureAwait(false) is { IsActive: true } user ? user : null;

    /// <summary>
    /// A new key or token for the tenant. The secret is returned once and never stored: only its digest is.
    /// </summary>
    public async Task<(AccessKey? Key, string? Secret, string? Problem)> CreateKeyAsync(
        string tenant, KeyKind kind, string name, string by, CancellationToken cancellationToken)
    {
        if ((AccessRules.CheckTenant(tenant) ?? AccessRules.CheckKeyName(name)) is { } problem)
        {
            return (null, null, char.ToUpperInvariant(problem[0]) + problem[1..]);
        }

        // 32 random bytes (256 bits) in URL-safe base64, prefixed by kind so a leaked key says what it opens.
        var prefix = kind switch { KeyKind.Ingest => "tli_", KeyKind.AlertToken => "tla_", _ => "tlk_" };
        var secret = prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var key = new AccessKey(NewId("key"), tenant, kind, name.Trim(), KeyDigest.Of(secret), secret[..8], time.GetUtcNow(), by, null, null);
        await keys.AddAsync(key, cancellationToken).ConfigureAwait(false);
        await directory.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return (key, secret, null);
    }

    public Task<IReadOnlyList<AccessKey>> ListKeysAsync(string tenant, CancellationToken cancellationToken) => keys.ListAsync(tenant, cancellationToken);

    public async Task<AccessChange> RevokeKeyAsync(string tenant, string id, string by, CancellationToken cancellationToken)
    {
        if (!await keys.RevokeAsync(tenant, id, by, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            return AccessChange.NotFound;
        }

        await directory.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return AccessChange.Done;
    }

    private static string NewId(string prefix) => prefix + "_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
}
