using System.Security.Cryptography;

namespace TaskLens.Server.EmbeddedClickHouse;

/// <summary>
/// The embedded server's password: made once, at random, and kept in its data directory (readable by the account
/// running TaskLens only), so no other local account can use the loopback ClickHouse. users.xml holds its SHA-256.
/// </summary>
internal static class EmbeddedPassword
{
    public const string FileName = "password";

    /// <summary>The password kept in <paramref name="dataPath"/>, made on first use.</summary>
    public static string LoadOrCreate(string dataPath)
    {
        Directory.CreateDirectory(dataPath);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dataPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var path = Path.Combine(dataPath, FileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: >= 32 } kept)
        {
            return kept;
        }

        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new StreamWriter(path, options))
        {
            file.Write(password);
        }

        return password;
    }

    public static string Sha256Hex(string password) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(password)));
}
