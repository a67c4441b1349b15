using TaskLens.Core.Incidents;

namespace TaskLens.Slack.Delivery;

/// <summary>
/// Incidents waiting to be shown in Slack, one entry per incident however many changes arrive: a flood of changes
/// becomes one edit, at most one per incident per coalescing interval. Thread-safe: domain-event handlers add, the
/// delivery loop takes.
/// </summary>
internal sealed class SlackOutbox(TimeSpan coalesce, TimeProvider time) : IDisposable
{
    private readonly Dictionary<(string Tenant, string Id), Entry> _pending = [];
    private readonly Dictionary<(string Tenant, string Id), DateTimeOffset> _lastDelivered = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    public void Dispose() => _signal.Dispose();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Remembers the incident's newest state; due at once unless it was delivered within the interval.</summary>
    public void Add(Incident incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var key = (incident.Tenant, incident.Id);
        lock (_lock)
        {
            if (_pending.TryGetValue(key, out var entry))
            {
                if (incident.Version > entry.Incident.Version)
                {
                    entry.Incident = incident;
                }

                return;
            }

            var due = time.GetUtcNow();
            if (_lastDelivered.TryGetValue(key, out var last) && last + coalesce > due)
            {
                due = last + coalesce;
            }

            _pending[key] = new Entry(incident, due);
        }

        _signal.Release();
    }

    /// <summary>The incident due first, if one is due now; else how long until one is (infinite when none waits).</summary>
    public (Incident? Incident, int Attempts, TimeSpan Wait) Next()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            Entry? first = null;
            foreach (var entry in _pending.Values)
            {
                if (first is null || entry.Due < first.Due)
                {
                    first = entry;
                }
            }

            return first is null ? (null, 0, Timeout.InfiniteTimeSpan)
                : first.Due <= now ? (first.Incident, first.Attempts, TimeSpan.Zero)
                : (null, 0, first.Due - now);
        }
    }

    /// <summary>Waits for an addition or <paramref name="wait"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan wait, CancellationToken cancellationToken) =>
        await _signal.WaitAsync(wait, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// <paramref name="delivered"/> is shown: its entry goes, unless a newer version arrived meanwhile, which is due one
    /// interval from now.
    /// </summary>
    public void Delivered(Incident delivered)
    {
        ArgumentNullException.ThrowIfNull(delivered);
        var key = (delivered.Tenant, delivered.Id);
        lock (_lock)
        {
            var now = time.GetUtcNow();
            _lastDelivered[key] = now;
            if (_pending.TryGetValue(key, out var entry))
            {
                if (entry.Incident.Version <= delivered.Version)
                {
                    _pending.Remove(key);
                }
                else
                {
                    entry.Due = now + coalesce;
                    entry.Attempts = 0;
                }
            }

            // Forget delivery times older than the interval: they no longer hold anything back.
            if (_lastDelivered.Count > 1024)
            {
                foreach (var old in _lastDelivered.Where(d => d.Value + coalesce < now).Select(d => d.Key).ToList())
                {
                    _lastDelivered.Remove(old);
                }
            }
        }
    }

    /// <summary>Delivery failed: try again after <paramref name="delay"/>, counting the attempt when <paramref name="counted"/>.</summary>
    public void Retry(Incident incident, TimeSpan delay, bool counted)
    {
        ArgumentNullException.ThrowIfNull(incident);
        lock (_lock)
        {
            if (_pending.TryGetValue((incident.Tenant, incident.Id), out var entry))
            {
                entry.Due = time.GetUtcNow() + delay;
                entry.Attempts += counted ? 1 : 0;
            }
        }
    }

    /// <summary>Gives up on the change: the entry goes unless a newer version arrived meanwhile.</summary>
    public void Drop(Incident incident) => Delivered(incident);

    private sealed class Entry(Incident incident, DateTimeOffset due)
    {
        public Incident Incident { get; set; } = incident;
        public DateTimeOffset Due { get; set; } = due;
        public int Attempts { get; set; }
    }
}
