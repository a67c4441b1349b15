using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskLens.Briefs.Facts;
using TaskLens.Briefs.Narrative;
using TaskLens.Core.Briefs;
using TaskLens.Core.Incidents;

namespace TaskLens.Briefs;

/// <summary>
/// Writes briefs. Incident changes only mark the incident due (never waiting: incident creation is never delayed by a
/// brief); after <see cref="BriefOptions.Debounce"/> this worker reads the evidence, computes the facts and, when the
/// change is material (a new service or goal, severity, resolve) or a person asked, has the model write the narrative
/// — unless a narrative was written over the very same facts (cached by their hash) or the incident's hourly budget of
/// model calls is spent. A brief written this way is a new version, recorded in the incident's timeline; other
/// changes refresh the facts of the version held. Briefs are stored for every node (<see cref="BriefBook"/>): each write
/// is a compare-and-set, and a node asks the model only after storing its claim to, so of several nodes writing one
/// change one asks and the others keep what it writes (docs/briefs.md, "Where briefs are kept").
/// </summary>
internal sealed class BriefService(
    EvidenceCollector collector,
    NarrativeWriter narratives,
    BriefsMetrics metrics,
    BriefBook book,
    IncidentService incidents,
    BriefOptions options,
    LlmOptions llm,
    BriefSettings settings,
    TimeProvider time,
    ILogger<BriefService> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions HashJson = new() { WriteIndented = false };

    /// <summary>Compare-and-set attempts of one write before it gives way (each loss means another node just wrote it).</summary>
    private const int MaxWriteAttempts = 8;

    private readonly ConcurrentDictionary<(string Tenant, string Id), (DateTimeOffset Due, bool Material)> _due = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly SemaphoreSlim _writing = new(1, 1);

    /// <summary>Marks an incident's brief due after the debounce; returns at once.</summary>
    public void Schedule(string tenant, string id, bool material)
    {
        var due = time.GetUtcNow() + options.Debounce;
        _due.AddOrUpdate((tenant, id), (due, material), (_, held) => (held.Due, held.Material || material));
        _signal.Release();
    }

    /// <summary>Writes the brief now; <paramref name="force"/> asks the model even without a material change.</summary>
    public async Task<IncidentBrief?> WriteAsync(string tenant, string id, bool force, bool allowModel, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            return await WriteLockedAsync(tenant, id, force, allowModel, cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    public override void Dispose()
    {
        _signal.Dispose();
        _writing.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (llm.Configured)
        {
            BriefsLog.ModelConfigured(logger, llm.Model, llm.Endpoint!);
        }
        else
        {
            BriefsLog.NoModel(logger);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = _due.IsEmpty ? TimeSpan.FromSeconds(30) : _due.Values.Min(d => d.Due) - now;
            if (next > TimeSpan.Zero)
            {
                await _signal.WaitAsync(next < TimeSpan.FromSeconds(30) ? next : TimeSpan.FromSeconds(30), stoppingToken);
                continue;
            }

            foreach (var (key, (due, material)) in _due.Where(d => d.Value.Due <= now).ToList())
            {
                if (!((ICollection<KeyValuePair<(string Tenant, string Id), (DateTimeOffset Due, bool Material)>>)_due).Remove(new(key, (due, material))))
                {
                    continue;
                }

                try
                {
                    await WriteAsync(key.Tenant, key.Id, force: false, allowModel: material, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    BriefsLog.WriteFailed(logger, key.Id, key.Tenant, e);
                }
            }
        }
    }

    private async Task<IncidentBrief?> WriteLockedAsync(string tenant, string id, bool force, bool allowModel, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (await collector.CollectAsync(tenant, id, cancellationToken) is not { } evidence)
        {
            return null;
        }

        var facts = FactsBuilder.Build(evidence, settings);
        var factsMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var hash = Hash(facts);
        var signature = Signature(facts);
        StoredBrief? stored = null;
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            stored = await book.FindAsync(tenant, id, cancellationToken);

            // A person asked on two nodes at once: the other node's regeneration is the answer to both.
            if (force && stored is not null && book.RegenerateWait(stored) > TimeSpan.Zero)
            {
                return stored.Brief;
            }

            var (next, newVersion, askModel) = Next(stored, facts, hash, signature, force, allowModel);
            if (!await book.TryWriteAsync(next, stored?.Revision ?? 0, cancellationToken))
            {
                // Another node wrote first: decide again against what it wrote (the loser keeps the winner's narrative).
                continue;
            }

            if (askModel)
            {
                return await NarrateAsync(next, book.Budget(stored).Left, started, factsMs, cancellationToken);
            }

            if (newVersion)
            {
                await incidents.RecordBriefAsync(tenant, id, TimelineText(next.Brief), cancellationToken);
                BriefsLog.Written(logger, id, tenant, next.Brief.Version, next.Brief.Narrative.Status, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, factsMs);
            }

            return next.Brief;
        }

        BriefsLog.WriteContended(logger, id, tenant, MaxWriteAttempts);
        return stored?.Brief;
    }

    /// <summary>
    /// The brief to store over <paramref name="stored"/>: a new version on the first brief, a material change or a
    /// regeneration, else the facts refreshed under the version held; and whether the model is to write its narrative —
    /// then the brief is stored first with the narrative pending and this node's lease on it, so no other node asks the
    /// model for the same change.
    /// </summary>
    private (StoredBrief Next, bool NewVersion, bool AskModel) Next(
        StoredBrief? stored, BriefFacts facts, string hash, string signature, bool force, bool allowModel)
    {
        var now = time.GetUtcNow();
        var held = stored?.Brief;
        var narratedFor = book.NarratedFor(stored);
        var material = force || held is null || narratedFor != signature;
        var newVersion = held is null || force;
        var askModel = false;
        NarrativeState narrative;
        if (!llm.Configured)
        {
            narrative = new NarrativeState { Status = "not-configured", Reason = "No model endpoint is configured (TaskLens:Llm:Endpoint): the facts are the brief." };
            newVersion |= narratedFor != signature;
        }
        else if (held?.Narrative is { } previous && previous.FactsHash == hash && previous.Status == "accepted" && !force)
        {
            narrative = previous;
        }
        else if (!material || !(allowModel || force))
        {
            narrative = held?.Narrative ?? new NarrativeState { Status = "pending", Reason = "The narrative is written after the brief's next material change." };
        }
        else if (book.Budget(stored) is { Left: <= 0 })
        {
            BriefsLog.BudgetSpent(logger, facts.IncidentId, llm.MaxCallsPerIncidentPerHour);
            narrative = new NarrativeState
            {
                Status = "skipped",
                Reason = $"The incident's budget of {llm.MaxCallsPerIncidentPerHour} model calls per hour is spent; the facts stand.",
            };
            newVersion = true;
        }
        else
        {
            narrative = new NarrativeState { Status = "pending", Reason = "The model is writing the narrative.", FactsHash = hash };
            newVersion = true;
            askModel = true;
        }

        var brief = new IncidentBrief
        {
            Facts = facts,
            Version = Math.Max(1, (held?.Version ?? 0) + (newVersion ? 1 : 0)),
            FactsHash = hash,
            GeneratedAt = now,
            Summary = narrative.Status == "accepted" ? FirstParagraph(narrative.Text) : facts.Summary,
            Narrative = narrative,
        };
        var next = new StoredBrief
        {
            Tenant = facts.Tenant,
            IncidentId = facts.IncidentId,
            Revision = (stored?.Revision ?? 0) + 1,
            Brief = brief,

            // A narrative tried (or not possible, or being written) is what the signature records; a pending one is still owed.
            NarratedFor = narrative.Status == "pending" && !askModel ? stored?.NarratedFor : signature,
            ModelCalls = book.CallsThisHour(stored),
            RegeneratedAt = force ? now : stored?.RegeneratedAt,

            // A refresh of the facts keeps another node's lease on the narrative it is writing; a new version ends it.
            NarratingUntil = askModel ? now + book.NarrativeLease : newVersion ? null : stored?.NarratingUntil,
        };
        return (next, newVersion, askModel);
    }

    /// <summary>
    /// Has the model write the narrative of the version <paramref name="claimed"/> holds (this node's lease stored),
    /// then stores it there with the model requests it made — over whatever refreshes of the facts other nodes stored
    /// meanwhile. If a newer version was stored in between (a node took over past the lease), only the requests are counted.
    /// </summary>
    private async Task<IncidentBrief> NarrateAsync(StoredBrief claimed, int callsLeft, long started, long factsMs, CancellationToken cancellationToken)
    {
        var (tenant, id) = (claimed.Tenant, claimed.IncidentId);
        NarrativeState narrative;
        try
        {
            narrative = await narratives.WriteAsync(claimed.Brief.Facts, claimed.Brief.FactsHash, callsLeft, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The request ended or the node is stopping: say so instead of leaving "pending", give the lease back, and
            // clear what the narrative was written for, so the next write of this brief (on any node) asks again.
            await StoreAsync(claimed, current => current with
            {
                Brief = current.Brief with
                {
                    Narrative = new NarrativeState
                    {
                        Status = "failed",
                        Reason = "Writing the narrative was cancelled (the request ended or the node stopped); the next write of this brief asks again.",
                        FactsHash = current.Brief.FactsHash,
                    },
                },
                NarratedFor = null,
                NarratingUntil = time.GetUtcNow(),
            }, CancellationToken.None);
            throw;
        }

        metrics.Written(narrative);
        if (narrative.Status == "rejected")
        {
            BriefsLog.NarrativeRejected(logger, id, narrative.Reason);
        }
        else if (narrative.Status == "failed")
        {
            BriefsLog.NarrativeFailed(logger, id, narrative.Reason);
        }

        var calls = narrative.ModelCalls;
        var stored = await StoreAsync(claimed, current => current with
        {
            Brief = current.Brief with
            {
                Narrative = narrative,
                Summary = narrative.Status == "accepted" ? FirstParagraph(narrative.Text) : current.Brief.Facts.Summary,
            },
            ModelCalls = book.CallsThisHour(current, calls),
            NarratingUntil = null,
        }, cancellationToken, superseded: current => current with { ModelCalls = book.CallsThisHour(current, calls) });
        if (stored is null || stored.Brief.Version != claimed.Brief.Version)
        {
            return stored?.Brief ?? claimed.Brief with { Narrative = narrative };
        }

        await incidents.RecordBriefAsync(tenant, id, TimelineText(stored.Brief), cancellationToken);
        BriefsLog.Written(logger, id, tenant, stored.Brief.Version, narrative.Status, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, factsMs);
        return stored.Brief;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the stored brief while it is still the version <paramref name="claimed"/>
    /// holds (else <paramref name="superseded"/>, if given), retrying past other nodes' writes; null when nothing was stored.
    /// </summary>
    private async Task<StoredBrief?> StoreAsync(
        StoredBrief claimed, Func<StoredBrief, StoredBrief> change, CancellationToken cancellationToken, Func<StoredBrief, StoredBrief>? superseded = null)
    {
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            if (await book.FindAsync(claimed.Tenant, claimed.IncidentId, cancellationToken) is not { } current)
            {
                return null;
            }

            var ours = current.Brief.Version == claimed.Brief.Version && current.NarratedFor == claimed.NarratedFor;
            var next = ours ? change(current) : superseded?.Invoke(current);
            if (next is null)
            {
                return current;
            }

            if (await book.TryWriteAsync(next with { Revision = current.Revision + 1 }, current.Revision, cancellationToken))
            {
                return next;
            }
        }

        BriefsLog.WriteContended(logger, claimed.IncidentId, claimed.Tenant, MaxWriteAttempts);
        return null;
    }

    /// <summary>What makes a change material for the narrative: services, goals, severity, open or closed.</summary>
    internal static string Signature(BriefFacts facts) =>
        string.Join('|', string.Join(',', facts.Services.Order(StringComparer.Ordinal)), string.Join(',', facts.Goals.Select(g => g.Goal).Order(StringComparer.Ordinal)),
            facts.Severity, facts.Status is IncidentStatus.Resolved or IncidentStatus.Merged ? "closed" : "open");

    /// <summary>SHA-256 of the facts without the times that move with every read (when they were computed).</summary>
    internal static string Hash(BriefFacts facts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(facts with { IncidentVersion = 0 }, HashJson))))[..16];

    private static string TimelineText(IncidentBrief brief)
    {
        var n = brief.Narrative;
        var what = n.Status switch
        {
            "accepted" => $"narrative by {n.Model} ({(n.InputTokens + n.OutputTokens).ToString(CultureInfo.InvariantCulture)} tokens"
                + (n.Cost is { } c ? ", $" + c.ToString("0.######", CultureInfo.InvariantCulture) : "") + ")",
            "rejected" => "narrative rejected: " + n.Reason,
            "failed" => "narrative failed: " + n.Reason,
            "skipped" => "narrative skipped: model budget spent",
            "pending" => "facts; narrative pending",
            _ => "facts only (no model configured)",
        };
        return $"brief v{brief.Version} (facts {brief.FactsHash}): {what}";
    }

    private static string FirstParagraph(string text)
    {
        var cut = text.IndexOf("\n\n", StringComparison.Ordinal);
        return (cut > 0 ? text[..cut] : text).Trim();
    }
}
