using Microsoft.Extensions.Options;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// Bounds the bytes of exports that are in flight (decoded, queued for ClickHouse or being written) and shares
/// them fairly: one tenant may hold at most <see cref="IngestOptions.MaxTenantShare"/> of the budget, and while
/// n tenants hold bytes, at most 1/n of it. A tenant holding nothing is always let in while the budget has room,
/// so a flood from one tenant cannot starve another. Over the bound, receivers push back with the answers OTLP
/// clients retry (429 / RESOURCE_EXHAUSTED with a retry delay) — nothing accepted is ever dropped.
/// A lease is taken before a request body is read and grows with every buffer the body and its inflated form take
/// (<see cref="Lease.TryGrow"/>), so memory is counted before it is used: concurrent bodies cannot together pass the
/// budget, however large each one claims or inflates to be (issue 14).
/// </summary>
internal sealed class AdmissionControl(IOptions<IngestOptions> options)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _byTenant = new(StringComparer.Ordinal);
    private readonly long _budget = options.Value.MaxBytesInFlight;
    private readonly double _maxShare = options.Value.MaxTenantShare;
    private long _total;
    private long _refused;

    /// <summary>Exports pushed back since start.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public long BytesInFlight
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    /// <summary>Reserves <paramref name="bytes"/> for the tenant, or returns null when it must push back.</summary>
    public Lease? TryAdmit(string tenant, long bytes) =>
        TryTake(tenant, bytes, own: 0) ? new Lease(this, tenant, bytes) : null;

    /// <summary>
    /// Takes <paramref name="bytes"/> more for a tenant whose leases hold <paramref name="own"/> already in the lease
    /// asking. A tenant holding nothing else is let in while the budget has room; otherwise the tenant's share bounds it.
    /// </summary>
    private bool TryTake(string tenant, long bytes, long own)
    {
        lock (_gate)
        {
            _byTenant.TryGetValue(tenant, out var held);
            var activeTenants = _byTenant.Count + (held == 0 ? 1 : 0);
            var tenantCap = Math.Min(_budget * _maxShare, (double)_budget / activeTenants);
            var fits = _total + bytes <= _budget && (held - own == 0 || held + bytes <= tenantCap);
            if (!fits)
            {
                // Admission or growth refused: either way the export is pushed back.
                Interlocked.Increment(ref _refused);
                return false;
            }

            if (bytes > 0)
            {
                _byTenant[tenant] = held + bytes;
                _total += bytes;
            }

            return true;
        }
    }

    private void Release(string tenant, long bytes)
    {
        lock (_gate)
        {
            _total -= bytes;
            var left = _byTenant[tenant] - bytes;
            if (left == 0)
            {
                _byTenant.Remove(tenant);
            }
            else
            {
                _byTenant[tenant] = left;
            }
        }
    }

    /// <summary>Bytes held until the export is answered; disposing returns them.</summary>
    public sealed class Lease : IDisposable, IBufferBudget
    {
        private readonly AdmissionControl _owner;
        private readonly string _tenant;
        private long _bytes;

        internal Lease(AdmissionControl owner, string tenant, long bytes)
        {
            _owner = owner;
            _tenant = tenant;
            _bytes = bytes;
        }

        /// <summary>Bytes this lease holds now.</summary>
        public long Bytes => Interlocked.Read(ref _bytes);

        /// <summary>Takes <paramref name="bytes"/> more before a buffer of that size is used; false: push back instead.</summary>
        public bool TryGrow(long bytes)
        {
            if (bytes <= 0)
            {
                return true;
            }

            if (!_owner.TryTake(_tenant, bytes, Bytes))
            {
                return false;
            }

            Interlocked.Add(ref _bytes, bytes);
            return true;
        }

        /// <summary>Gives back <paramref name="bytes"/> of this lease once the buffer they counted is released.</summary>
        public void Shrink(long bytes)
        {
            bytes = Math.Min(bytes, Bytes);
            if (bytes > 0)
            {
                Interlocked.Add(ref _bytes, -bytes);
                _owner.Release(_tenant, bytes);
            }
        }

        public void Dispose()
        {
            var bytes = Interlocked.Exchange(ref _bytes, 0);
            if (bytes > 0)
            {
                _owner.Release(_tenant, bytes);
            }
        }
    }
}
