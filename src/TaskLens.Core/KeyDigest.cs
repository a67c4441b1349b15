using System.Security.Cryptography;
using System.Text;

namespace TaskLens.Core;

/// <summary>
/// How secrets senders present (ingest API keys, alert tokens, API keys; configured or stored from the admin page) are
/// held: as SHA-256 digests, so a lookup never compares secrets byte by byte and neither memory nor the state database
/// holds a key. Keys are long random strings (configured ones at least 16 characters), so a fast digest suffices —
/// unlike passwords, which go through <see cref="Access.IPasswordHasher"/>.
/// </summary>
public static class KeyDigest
{
    public static string Of(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
