using TaskLens.Core;
using Microsoft.Extensions.Options;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Access;
using TaskLens.Ingest;

namespace TaskLens.Server.AlertIntake;

/// <summary>
/// Who is sending: a known token — configured (<c>TaskLens:Alerts:Tokens</c>) or stored from the admin page — names the
/// tenant; an unknown token is refused. In open mode (TaskLens:Ingest:OpenMode, loopback only) a sender without a token
/// is the open-mode tenant, and so is any token while no tokens are configured or stored (the events API's
/// <c>routing_key</c> must be present, so local senders put anything there).
/// </summary>
internal sealed class AlertIntakeAuth(AlertIntakeOptions options, IOptions<IngestOptions> ingest, AccessKeyDirectory stored)
{
    private readonly Dictionary<string, string> _tenantByDigest = options.Tokens.ToDictionary(t => KeyDigest.Of(t.Token), t => t.Tenant, StringComparer.Ordinal);

    /// <summary>The tenant, or null when the sender is not allowed.</summary>
    public string? TenantOf(string? token)
    {
        if (string.IsNullOrEmpty(token) || (_tenantByDigest.Count == 0 && !stored.AnyAlertToken))
        {
            return ingest.Value.OpenMode ? Tenants.Default : null;
        }

        return _tenantByDigest.GetValueOrDefault(KeyDigest.Of(token)) ?? stored.Find(token, KeyKind.AlertToken)?.Tenant;
    }

    /// <summary>The token from <c>Authorization: Bearer …</c>, else null.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
