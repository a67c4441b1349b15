namespace TaskLens.Ingest.Otlp;

/// <summary>
/// What decoding one export did: how many spans it accepted and rejected (OTLP partial success, with the first
/// reason), or that the request itself was malformed, in which case nothing was added.
/// </summary>
public readonly record struct OtlpDecodeResult(int Accepted, int Rejected, string? ErrorMessage, string? MalformedReason)
{
    public bool IsMalformed => MalformedReason is not null;

    public static OtlpDecodeResult Malformed(string reason) => new(0, 0, null, reason);
}
