using TaskLens.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TaskLens.Core.Access;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// Maps an export's key to its tenant: a configured key (<c>TaskLens:Ingest:ApiKeys</c>) or an ingest key stored from
/// the admin page. Keys are held as SHA-256 digests, so the lookup never compares secrets byte by byte and a memory
/// dump shows no key.
/// </summary>
internal sealed class TenantResolver
{
    private readonly AccessKeyDirectory _stored;
    private readonly Dictionary<string, string> _tenantByKeyDigest = new(StringComparer.Ordinal);
    private readonly string _header;
    private readonly bool _bearer;
    private readonly bool _openMode;

    public TenantResolver(IOptions<IngestOptions> options, AccessKeyDirectory stored)
    {
        _stored = stored;
        var o = options.Value;
        foreach (var key in o.ApiKeys)
        {
            _tenantByKeyDigest[KeyDigest.Of(key.Key)] = key.Tenant;
        }

        _header = o.ApiKeyHeader;
        _bearer = string.Equals(o.ApiKeyHeader, "Authorization", StringComparison.OrdinalIgnoreCase);
        _openMode = o.OpenMode;
    }

    /// <summary>The tenant for this request, or null with the reason it is not authenticated.</summary>
    public string? Resolve(HttpRequest request, out string? refusal)
    {
        refusal = null;
        var value = request.Headers[_header].ToString().Trim();
        if (_bearer && value.Length > 0)
        {
            if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                refusal = "The Authorization header must be 'Bearer <ingest key>'.";
                return null;
            }

            value = value["Bearer ".Length..].Trim();
        }

        if (value.Length == 0)
        {
            if (_openMode)
            {
                return Tenants.Default;
            }

            refusal = _bearer ? "An ingest key is required: send 'Authorization: Bearer <key>'." : $"An ingest key is required in the {_header} header.";
            return null;
        }

        if (_tenantByKeyDigest.TryGetValue(KeyDigest.Of(value), out var tenant))
        {
            return tenant;
        }

        if (_stored.Find(value, KeyKind.Ingest) is { } key)
        {
            return key.Tenant;
        }

        refusal = "The ingest key is not known.";
        return null;
    }
}
