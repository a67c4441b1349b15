namespace TaskLens.Ingest.Otlp;

/// <summary>
/// FNV-1a, 64-bit, over protobuf bytes: the identity of a log record or a metric series. Not cryptographic; a
/// retried export hashes to the same value, which is all de-duplication needs.
/// </summary>
internal static class Fnv64
{
    public const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Hash(ReadOnlySpan<byte> data, ulong seed = Offset)
    {
        var hash = seed;
        foreach (var b in data)
        {
            hash = (hash ^ b) * Prime;
        }

        return hash;
    }

    /// <summary>Folds <paramref name="value"/> into <paramref name="hash"/> byte by byte.</summary>
    public static ulong Add(ulong hash, ulong value)
    {
        for (var i = 0; i < 8; i++)
        {
            hash = (hash ^ (byte)(value >> (i * 8))) * Prime;
        }

        return hash;
    }
}
