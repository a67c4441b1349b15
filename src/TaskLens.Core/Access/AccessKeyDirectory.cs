using System.Collections.Frozen;

namespace TaskLens.Core.Access;

/// <summary>
/// The stored keys and tokens in memory, by digest, for the paths that check one per request (OTLP exports, webhooks,
/// API calls) without a database read each time. Reloaded after every change made here and every
/// <see cref="AccessOptions.KeyRefresh"/> (changes by another node or the command line), so a revoked key stops
/// working at once on this node and within that interval everywhere.
/// </summary>
public sealed class AccessKeyDirectory(IAccessKeyStore store)
{
    private volatile FrozenDictionary<string, AccessKey> _byDigest = FrozenDictionary<string, AccessKey>.Empty;
    private volatile bool _anyAlertToken;

    /// <summary>The active key with this secret, if it is of <paramref name="kind"/>.</summary>
    public AccessKey? Find(string secret, KeyKind kind) =>
        _byDigest.TryGetValue(KeyDigest.Of(secret), out var key) && key.Kind == kind ? key : null;

    /// <summary>The active API key (read or triage scope) with this secret.</summary>
    public AccessKey? FindApiKey(string secret) =>
        _byDigest.TryGetValue(KeyDigest.Of(secret), out var key) && KeyKinds.ApiRightsOf(key.Kind) != AccessRights.None ? key : null;

    /// <summary>Whether any alert token is stored (open mode takes any token only while none is configured or stored).</summary>
    public bool AnyAlertToken => _anyAlertToken;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var keys = await store.ListActiveAsync(cancellationToken).ConfigureAwait(false);
        _byDigest = keys.ToFrozenDictionary(k => k.Digest, StringComparer.Ordinal);
        _anyAlertToken = keys.Any(k => k.Kind == KeyKind.AlertToken);
    }
}
