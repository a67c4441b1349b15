using TaskLens.Core.Briefs;

namespace TaskLens.Briefs;

/// <summary>
/// The briefs every node shares: each incident's current brief, its model budget and its regeneration time, read from
/// and written to the state store (<see cref="IBriefStore"/>, compare-and-set on the row's revision), and the rules read
/// off a stored brief — the calls left this hour, whether a person may regenerate now, whether the narrative is still
/// owed. Nothing is held in memory: a brief is one row read by its key, and a copy held here could be stale the moment
/// another node writes (docs/briefs.md, "Where briefs are kept").
/// </summary>
internal sealed class BriefBook(IBriefStore store, BriefOptions options, LlmOptions llm, TimeProvider time)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a node holds the right to have the model write one narrative: the most requests the incident's budget
    /// allows, each waiting its timeout and the longest retry delay, and a minute for the evidence functions. Past it the
    /// node is taken to have stopped, and another writes the narrative.
    /// </summary>
    public TimeSpan NarrativeLease => llm.MaxCallsPerIncidentPerHour * (llm.Timeout + llm.MaxRetryAfter) + TimeSpan.FromMinutes(1);

    public Task<StoredBrief?> FindAsync(string tenant, string id, CancellationToken cancellationToken) =>
        store.FindAsync(tenant, id, cancellationToken);

    public Task<bool> TryWriteAsync(StoredBrief next, long expectedRevision, CancellationToken cancellationToken) =>
        store.TryWriteAsync(next, expectedRevision, cancellationToken);

    /// <summary>
    /// The material signature the stored narrative stands for; null when none was tried, or when the node writing it
    /// let its lease pass with the narrative still pending (it stopped mid-way: the narrative is owed again).
    /// </summary>
    public string? NarratedFor(StoredBrief? stored) =>
        stored is { NarratingUntil: { } until, Brief.Narrative.Status: "pending" } && until <= time.GetUtcNow() ? null : stored?.NarratedFor;

    /// <summary>Model requests left for the incident this hour, and when the oldest counted one leaves the hour.</summary>
    public (int Left, TimeSpan RetryAfter) Budget(StoredBrief? stored)
    {
        var now = time.GetUtcNow();
        var calls = CallsThisHour(stored, now);
        var left = llm.MaxCallsPerIncidentPerHour - calls.Count;
        return (left, left > 0 || calls.Count == 0 ? TimeSpan.Zero : calls.Min() + Hour - now);
    }

    /// <summary>The stored brief's model requests still in the hour, and <paramref name="made"/> more made now.</summary>
    public IReadOnlyList<DateTimeOffset> CallsThisHour(StoredBrief? stored, int made = 0)
    {
        var now = time.GetUtcNow();
        return [.. CallsThisHour(stored, now), .. Enumerable.Repeat(now, made)];
    }

    /// <summary>How long until a person may regenerate the brief again (zero: now), on whichever node they ask.</summary>
    public TimeSpan RegenerateWait(StoredBrief? stored)
    {
        var since = time.GetUtcNow() - (stored?.RegeneratedAt ?? DateTimeOffset.MinValue);
        return since < options.RegenerateMinInterval ? options.RegenerateMinInterval - since : TimeSpan.Zero;
    }

    private static List<DateTimeOffset> CallsThisHour(StoredBrief? stored, DateTimeOffset now) =>
        stored?.ModelCalls.Where(at => now - at < Hour).ToList() ?? [];
}
