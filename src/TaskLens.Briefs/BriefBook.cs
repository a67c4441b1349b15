using TaskLens.Core.Briefs;

namespace TaskLens.Briefs;

/// <summary>
/// The latest brief of each incident, and the model requests each made in the last hour, in memory: bounded by
/// <see cref="BriefOptions.MaxBriefsHeld"/> (the least recently written go first). Thread-safe.
/// </summary>
internal sealed class BriefBook(BriefOptions options, LlmOptions llm, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Tenant, string Id), Entry> _entries = [];

    public IncidentBrief? Find(string tenant, string id)
    {
        lock (_lock)
        {
            return _entries.GetValueOrDefault((tenant, id))?.Brief;
        }
    }

    /// <summary>The material signature the held narrative was written for (null when none was attempted).</summary>
    public string? NarratedFor(string tenant, string id)
    {
        lock (_lock)
        {
            return _entries.GetValueOrDefault((tenant, id))?.NarratedFor;
        }
    }

    public void Keep(IncidentBrief brief, string? narratedFor)
    {
        ArgumentNullException.ThrowIfNull(brief);
        lock (_lock)
        {
            var key = (brief.Facts.Tenant, brief.Facts.IncidentId);
            var entry = _entries.GetValueOrDefault(key) ?? new Entry();
            entry.Brief = brief;
            entry.NarratedFor = narratedFor ?? entry.NarratedFor;
            entry.Written = time.GetUtcNow();
            _entries[key] = entry;
            while (_entries.Count > options.MaxBriefsHeld)
            {
                _entries.Remove(_entries.MinBy(e => e.Value.Written).Key);
            }
        }
    }

    /// <summary>Model requests left for the incident this hour, and when the oldest counted one leaves the hour.</summary>
    public (int Left, TimeSpan RetryAfter) Budget(string tenant, string id)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var calls = Prune(tenant, id, now);
            var left = llm.MaxCallsPerIncidentPerHour - calls.Count;
            return (left, left > 0 || calls.Count == 0 ? TimeSpan.Zero : calls.Peek() + TimeSpan.FromHours(1) - now);
        }
    }

    public void CountCalls(string tenant, string id, int calls)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var queue = Prune(tenant, id, now);
            for (var i = 0; i < calls; i++)
            {
                queue.Enqueue(now);
            }
        }
    }

    /// <summary>Takes the right to regenerate now; otherwise how long until it may.</summary>
    public bool TryTakeRegenerate(string tenant, string id, out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var key = (tenant, id);
            if (!_entries.TryGetValue(key, out var entry))
            {
                _entries[key] = entry = new Entry { Written = now };
            }

            if (entry.Regenerated is { } last && now - last < options.RegenerateMinInterval)
            {
                retryAfter = options.RegenerateMinInterval - (now - last);
                return false;
            }

            entry.Regenerated = now;

            retryAfter = TimeSpan.Zero;
            return true;
        }
    }

    private Queue<DateTimeOffset> Prune(string tenant, string id, DateTimeOffset now)
    {
        var key = (tenant, id);
        if (!_entries.TryGetValue(key, out var entry))
        {
            _entries[key] = entry = new Entry { Written = now };
        }

        while (entry.Calls.TryPeek(out var at) && now - at >= TimeSpan.FromHours(1))
        {
            entry.Calls.Dequeue();
        }

        return entry.Calls;
    }

    private sealed class Entry
    {
        public IncidentBrief? Brief { get; set; }
        public string? NarratedFor { get; set; }
        public DateTimeOffset Written { get; set; }
        public DateTimeOffset? Regenerated { get; set; }
        public Queue<DateTimeOffset> Calls { get; } = new();
    }
}
