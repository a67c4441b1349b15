using Microsoft.Data.Sqlite;
using TaskLens.Core;
using TaskLens.Core.Access;

namespace TaskLens.UnitTests.Access;

/// <summary>Users and keys over the real SQLite stores.</summary>
public sealed class AccessServiceTests : IDisposable
{
    private const string Password = "correct horse battery";
    private readonly AccessTestStore _access = new();
    private AccessService Service => _access.Service;

    public void Dispose() => _access.Dispose();

    [Fact]
    public async Task CreateUserAsync_Password_IsStoredAsASaltedHashOnly()
    {
        var (ana, _) = await Service.CreateUserAsync("acme", "ana", Role.Admin, Password, "test", CancellationToken.None);
        var (bob, _) = await Service.CreateUserAsync("acme", "bob", Role.Viewer, Password, "test", CancellationToken.None);

        Assert.DoesNotContain(Password, ana!.PasswordHash, StringComparison.Ordinal);
        Assert.NotEqual(ana.PasswordHash, bob!.PasswordHash);

        // Identity's v3 format: a version byte of 1 (PBKDF2 with HMAC-SHA512 in .NET 10), so "AQ" in base64.
        Assert.StartsWith("AQ", ana.PasswordHash, StringComparison.Ordinal);
        Assert.Equal(ana, await _access.Users.FindByNameAsync("ANA", CancellationToken.None));
    }

    [Fact]
    public async Task VerifyPasswordAsync_RightWrongUnknownDisabled_OnlyRightSignsIn()
    {
        var (ana, _) = await Service.CreateUserAsync("acme", "ana", Role.Admin, Password, "test", CancellationToken.None);
        var (bob, _) = await Service.CreateUserAsync("acme", "bob", Role.Viewer, Password, "test", CancellationToken.None);
        Assert.Equal(AccessChangeOutcome.Done, (await Service.ChangeUserAsync("acme", bob!.Id, bob.Version, ana!.Id, null, null, active: false, CancellationToken.None)).Outcome);

        Assert.Equal("ana", (await Service.VerifyPasswordAsync("ana", Password, CancellationToken.None))?.Name);
        Assert.Null(await Service.VerifyPasswordAsync("ana", Password + "!", CancellationToken.None));
        Assert.Null(await Service.VerifyPasswordAsync("nobody", Password, CancellationToken.None));
        Assert.Null(await Service.VerifyPasswordAsync("bob", Password, CancellationToken.None));
    }

    [Fact]
    public async Task CreateUserAsync_BadInputOrTakenName_SaysWhy()
    {
        await Service.CreateUserAsync("acme", "ana", Role.Admin, Password, "test", CancellationToken.None);

        Assert.Equal("The name 'Ana' is taken.", (await Service.CreateUserAsync("globex", "Ana", Role.Viewer, Password, "test", CancellationToken.None)).Problem);
        Assert.Contains("12 to 1024", (await Service.CreateUserAsync("acme", "carl", Role.Viewer, "short", "test", CancellationToken.None)).Problem, StringComparison.Ordinal);
        Assert.Contains("user name", (await Service.CreateUserAsync("acme", "carl smith", Role.Viewer, Password, "test", CancellationToken.None)).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangeUserAsync_StaleVersionOtherTenantOrSelfDemotion_ChangesNothing()
    {
        var (ana, _) = await Service.CreateUserAsync("acme", "ana", Role.Admin, Password, "test", CancellationToken.None);
        var (bob, _) = await Service.CreateUserAsync("acme", "bob", Role.Viewer, Password, "test", CancellationToken.None);

        Assert.Equal(AccessChangeOutcome.Done, (await Service.ChangeUserAsync("acme", bob!.Id, 1, ana!.Id, Role.Responder, null, null, CancellationToken.None)).Outcome);
        Assert.Equal(AccessChangeOutcome.Stale, (await Service.ChangeUserAsync("acme", bob.Id, 1, ana.Id, Role.Admin, null, null, CancellationToken.None)).Outcome);
        Assert.Equal(AccessChangeOutcome.NotFound, (await Service.ChangeUserAsync("globex", bob.Id, 2, ana.Id, Role.Admin, null, null, CancellationToken.None)).Outcome);
        Assert.Equal(AccessChangeOutcome.Refused, (await Service.ChangeUserAsync("acme", ana.Id, 1, ana.Id, Role.Viewer, null, null, CancellationToken.None)).Outcome);

        var stored = await _access.Users.FindByIdAsync(bob.Id, CancellationToken.None);
        Assert.Equal((Role.Responder, 2L), (stored!.Role, stored.Version));
    }

    [Fact]
    public async Task UpdateAsync_TwoWritersFromTheSameVersion_OnlyTheFirstLands()
    {
        var (bob, _) = await Service.CreateUserAsync("acme", "bob", Role.Viewer, Password, "test", CancellationToken.None);

        Assert.True(await _access.Users.UpdateAsync(bob! with { Role = Role.Responder, Version = 2 }, 1, CancellationToken.None));
        Assert.False(await _access.Users.UpdateAsync(bob with { Role = Role.Admin, Version = 2 }, 1, CancellationToken.None));
        Assert.Equal(Role.Responder, (await _access.Users.FindByIdAsync(bob.Id, CancellationToken.None))!.Role);
    }

    [Fact]
    public async Task CreateKeyAsync_SecretIsReturnedOnce_AndOnlyItsDigestIsStored()
    {
        var (key, secret, _) = await Service.CreateKeyAsync("acme", KeyKind.ApiRead, "grafana", "ana", CancellationToken.None);

        Assert.StartsWith("tlk_", secret, StringComparison.Ordinal);
        Assert.True(secret!.Length >= 40);
        Assert.Equal(KeyDigest.Of(secret), key!.Digest);
        Assert.Equal(key, _access.Directory.FindApiKey(secret));
        Assert.Null(_access.Directory.Find(secret, KeyKind.Ingest));

        SqliteConnection.ClearAllPools();
        var file = await File.ReadAllBytesAsync(_access.Database.FilePath);
        var wal = File.Exists(_access.Database.FilePath + "-wal") ? await File.ReadAllBytesAsync(_access.Database.FilePath + "-wal") : [];
        var needle = System.Text.Encoding.UTF8.GetBytes(secret[8..]);
        Assert.Equal(-1, file.AsSpan().IndexOf(needle));
        Assert.Equal(-1, wal.AsSpan().IndexOf(needle));
    }

    [Fact]
    public async Task RevokeKeyAsync_OwnTenantOnlyAndOnce_TheKeyStopsWorkingAtOnce()
    {
        var (key, secret, _) = await Service.CreateKeyAsync("acme", KeyKind.AlertToken, "alertmanager", "ana", CancellationToken.None);
        Assert.True(_access.Directory.AnyAlertToken);

        Assert.Equal(AccessChangeOutcome.NotFound, (await Service.RevokeKeyAsync("globex", key!.Id, "eve", CancellationToken.None)).Outcome);
        Assert.NotNull(_access.Directory.Find(secret!, KeyKind.AlertToken));

        Assert.Equal(AccessChangeOutcome.Done, (await Service.RevokeKeyAsync("acme", key.Id, "ana", CancellationToken.None)).Outcome);
        Assert.Null(_access.Directory.Find(secret!, KeyKind.AlertToken));
        Assert.False(_access.Directory.AnyAlertToken);
        Assert.Equal(AccessChangeOutcome.NotFound, (await Service.RevokeKeyAsync("acme", key.Id, "ana", CancellationToken.None)).Outcome);

        var listed = Assert.Single(await Service.ListKeysAsync("acme", CancellationToken.None));
        Assert.Equal("ana", listed.RevokedBy);
        Assert.Empty(await Service.ListKeysAsync("globex", CancellationToken.None));
    }

    [Fact]
    public async Task EnsureFirstAdminAsync_OnlyWhileNoUserExists()
    {
        Assert.Equal((true, (string?)null), await Service.EnsureFirstAdminAsync("default", "root", Password, CancellationToken.None));
        Assert.Equal((false, (string?)null), await Service.EnsureFirstAdminAsync("default", "other", Password, CancellationToken.None));

        var only = Assert.Single(await Service.ListUsersAsync("default", CancellationToken.None));
        Assert.Equal(("root", Role.Admin), (only.Name, only.Role));
    }
}
