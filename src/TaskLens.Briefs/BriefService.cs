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
/// changes refresh the facts of the version held.
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
        var held = book.Find(tenant, id);
        var signature = Signature(facts);
        var narratedFor = book.NarratedFor(tenant, id);
        var material = force || held is null || narratedFor != signature;

        NarrativeState narrative;
        var newVersion = held is null || force;
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
        else if (book.Budget(tenant, id) is { Left: <= 0 })
        {
            BriefsLog.BudgetSpent(logger, id, llm.MaxCallsPerIncidentPerHour);
            narrative = new NarrativeState
            {
                Status = "skipped",
                Reason = $"The incident's budget of {llm.MaxCallsPerIncidentPerHour} model calls per hour is spent; the facts stand.",
            };
            newVersion = true;
        }
        else
        {
            narrative = await narratives.WriteAsync(facts, hash, book.Budget(tenant, id).Left, cancellationToken);
            metrics.Written(narrative);
            book.CountCalls(tenant, id, narrative.ModelCalls);
            newVersion = true;
            if (narrative.Status == "rejected")
            {
                BriefsLog.NarrativeRejected(logger, id, narrative.Reason);
            }
            else if (narrative.Status == "failed")
            {
                BriefsLog.NarrativeFailed(logger, id, narrative.Reason);
            }
        }

        var version = (held?.Version ?? 0) + (newVersion ? 1 : 0);
        var brief = new IncidentBrief
        {
            Facts = facts,
            Version = Math.Max(1, version),
            FactsHash = hash,
            GeneratedAt = time.GetUtcNow(),
            Summary = narrative.Status == "accepted" ? FirstParagraph(narrative.Text) : facts.Summary,
            Narrative = narrative,
        };
        // A narrative tried (or not possible) is what the signature records; a pending one is still owed.
        book.Keep(brief, narrative.Status == "pending" ? null : signature);
        if (newVersion)
        {
            await incidents.RecordBriefAsync(tenant, id, TimelineText(brief), cancellationToken);
            BriefsLog.Written(logger, id, tenant, brief.Version, narrative.Status, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, factsMs);
        }

        return brief;
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
