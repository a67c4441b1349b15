using System.Security.Cryptography;
using System.Text;

namespace TaskLens.Core;

/// <summary>
/// How secrets senders present (ingest API keys, alert tokens) are held: as SHA-256 digests, so a lookup never
/// compares secrets byte by byte and a memory dump shows no key.
/// </summary>
public static class KeyDigest
{
    public static string Of(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
