using TaskLens.Server.EmbeddedClickHouse;

namespace TaskLens.UnitTests.Server;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EmbeddedPasswordTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-pw-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void LoadOrCreate_MakesARandomPassword_KeptForTheOwnerOnly_AndTheSameNextTime()
    {
        var first = EmbeddedPassword.LoadOrCreate(_directory);
        var again = EmbeddedPassword.LoadOrCreate(_directory);

        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.Equal(first, again);
        Assert.NotEqual(first, EmbeddedPassword.LoadOrCreate(_directory + "-other"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, EmbeddedPassword.FileName)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
        Directory.Delete(_directory + "-other", recursive: true);
    }

    [Fact]
    public void Users_WithAPassword_HoldsItsSha256_NeverThePasswordOrAnEmptyOne()
    {
        var users = ClickHouseConfigFiles.Users("s3cret-password-for-test");

        Assert.Contains($"<password_sha256_hex>{EmbeddedPassword.Sha256Hex("s3cret-password-for-test")}</password_sha256_hex>", users, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", users, StringComparison.Ordinal);
        Assert.DoesNotContain("<password></password>", users, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
