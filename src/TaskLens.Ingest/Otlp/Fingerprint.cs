using System.IO.Hashing;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// The identity of a log record or a metric series: XxHash64 of protobuf bytes, chained through the seed (resource,
/// then scope, then the record). Not cryptographic; a retried export hashes to the same value, which is all
/// de-duplication needs.
/// </summary>
internal static class Fingerprint
{
    public static ulong Hash(ReadOnlySpan<byte> data, ulong seed = 0) => XxHash64.HashToUInt64(data, unchecked((long)seed));
}
