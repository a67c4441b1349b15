namespace TaskLens.Core.Access;

/// <summary>
/// A stored key or token: only its digest is kept (<see cref="KeyDigest"/>); the secret is shown once, when created.
/// <see cref="Hint"/> is its first characters, so people can tell keys apart.
/// </summary>
public sealed record AccessKey(
    string Id,
    string Tenant,
    KeyKind Kind,
    string Name,
    string Digest,
    string Hint,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? RevokedAt,
    string? RevokedBy)
{
    public bool IsActive => RevokedAt is null;
}
