using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TaskLens.Slack.Interactivity;

internal enum SignatureCheck
{
    Valid,

    /// <summary>No <c>X-Slack-Signature</c> or <c>X-Slack-Request-Timestamp</c>.</summary>
    Missing,

    /// <summary>The timestamp is more than five minutes from now (or not a number): too old to trust.</summary>
    Stale,

    /// <summary>The signature is not the body's HMAC under our signing secret (tampered, or another secret).</summary>
    Invalid,
}

/// <summary>
/// Slack's request signing, version 0: <c>X-Slack-Signature: v0=hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body))</c>,
/// with <c>X-Slack-Request-Timestamp</c> within five minutes of now. https://api.slack.com/authentication/verifying-requests-from-slack
/// </summary>
internal static class SlackSignature
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    public static SignatureCheck Verify(string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.Missing;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > 253402300799
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Window)
        {
            return SignatureCheck.Stale;
        }

        // Compared as bytes in constant time: the time taken must not tell how much of a forged signature was right.
        var expected = Encoding.ASCII.GetBytes(Compute(secret, timestamp, body));
        var given = Encoding.UTF8.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? SignatureCheck.Valid : SignatureCheck.Invalid;
    }

    /// <summary><c>v0=</c> and the lower-case hex HMAC of the base string.</summary>
    public static string Compute(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes("v0:" + timestamp + ":");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }
}
