using System.Security.Cryptography;
using System.Text;

namespace TaskLens.Core.Access;

/// <summary>
/// How keys and tokens are held: the SHA-256 digest of the secret, in hex. Keys are long random strings (or, configured,
/// at least 16 characters), so a fast digest suffices — unlike passwords, which go through <c>PasswordHasher</c>.
/// Lookups compare digests, never secrets, and neither memory nor the database holds a key.
/// </summary>
public static class SecretDigest
{
    public static string Of(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
