namespace TaskLens.Ingest.Spool;

/// <summary>
/// Fair shares of the spool's cap, by tenant and by service within a tenant: each may have at most
/// <c>maxShare</c> of the cap waiting for ClickHouse, and while n tenants (or n services) have bytes waiting, at most
/// 1/n of it. One with nothing waiting is always let in (the cap itself still holds). This is what keeps a flooding
/// tenant or service from filling the spool while ClickHouse is slow, so the others' exports still get in. Bytes of
/// records replayed from an earlier run were never counted, so releases clamp at zero.
/// </summary>
internal sealed class SpoolShares(long capBytes, double maxShare)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _tenants = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), long> _services = [];

    /// <summary>Takes the bytes, or returns why the tenant or service is over its share (taking nothing).</summary>
    public string? TryTake(string tenant, string service, long bytes)
    {
        lock (_gate)
        {
            if (TenantRefusal(tenant, bytes) is { } overShare)
            {
                return overShare;
            }

            if (!Fits(_services, (tenant, service), bytes))
            {
                return $"Service '{service}' holds its share of the spool ({_services[(tenant, service)]} bytes waiting for ClickHouse); retry later.";
            }

            _tenants[tenant] = _tenants.GetValueOrDefault(tenant) + bytes;
            _services[(tenant, service)] = _services.GetValueOrDefault((tenant, service)) + bytes;
            return null;
        }
    }

    /// <summary>
    /// Why the tenant could not take <paramref name="bytes"/> now, or null; takes nothing. Receivers ask this before
    /// they read and validate an export, so a tenant over its share is refused without the work (its service is not
    /// known yet: the service share is checked when the record is appended).
    /// </summary>
    public string? RefusalFor(string tenant, long bytes)
    {
        lock (_gate)
        {
            return TenantRefusal(tenant, bytes);
        }
    }

    public void Release(string tenant, string service, long bytes)
    {
        lock (_gate)
        {
            Subtract(_tenants, tenant, bytes);
            Subtract(_services, (tenant, service), bytes);
        }
    }

    private string? TenantRefusal(string tenant, long bytes) =>
        Fits(_tenants, tenant, bytes)
            ? null
            : $"Tenant '{tenant}' holds its share of the spool ({_tenants[tenant]} bytes waiting for ClickHouse); retry later.";

    private bool Fits<TKey>(Dictionary<TKey, long> held, TKey key, long bytes)
        where TKey : notnull
    {
        if (!held.TryGetValue(key, out var mine))
        {
            return true;
        }

        var share = Math.Min(capBytes * maxShare, (double)capBytes / held.Count);
        return mine + bytes <= share;
    }

    private static void Subtract<TKey>(Dictionary<TKey, long> held, TKey key, long bytes)
        where TKey : notnull
    {
        if (held.TryGetValue(key, out var mine))
        {
            if (mine <= bytes)
            {
                held.Remove(key);
            }
            else
            {
                held[key] = mine - bytes;
            }
        }
    }
}
