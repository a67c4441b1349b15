using System.Globalization;
using TaskLens.Core.Alerts;
using TaskLens.Core.Briefs;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;

namespace TaskLens.Briefs.Facts;

/// <summary>
/// Computes the facts brief from the evidence: a pure function (same evidence, same facts), so it is golden-tested and
/// evaluated without storage. Nothing here calls a model.
/// </summary>
internal static class FactsBuilder
{
    private const int HighlightsShown = 12;
    private const int LargestJoinsShown = 3;
    private const int SamplesShown = 6;

    public static BriefFacts Build(IncidentEvidence evidence, BriefSettings settings)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(settings);
        var incident = evidence.Detail.Incident;
        var goals = GoalImpacts(evidence);
        var templates = Templates(evidence, settings);
        var origins = OriginRanker.Rank(evidence, templates, goals, settings.Weights);
        var alertSources = evidence.Detail.Alerts.Select(a => "alert:" + a.Membership.AlertId).Order(StringComparer.Ordinal).ToList();
        var lastSeen = evidence.Detail.Alerts.Select(a => a.Alert?.LastSeen ?? a.Membership.JoinedAt).DefaultIfEmpty(incident.UpdatedAt).Max();
        var end = incident.ResolvedAt ?? evidence.Until;
        var facts = new BriefFacts
        {
            IncidentId = incident.Id,
            Tenant = incident.Tenant,
            IncidentVersion = incident.Version,
            Title = Title(incident, goals, origins),
            Severity = incident.Severity,
            Status = incident.Status,
            FirstSeen = evidence.Onset,
            LastSeen = lastSeen,
            Duration = TimeSpan.FromSeconds(Math.Max(0, Math.Round((end - evidence.Onset).TotalSeconds))),
            Alerts = incident.Alerts,
            FiringAlerts = incident.FiringAlerts,
            Goals = goals,
            Services = incident.Services,
            Tenants = [incident.Tenant],
            Timeline = Highlights(evidence.Detail.Timeline),
            ErrorTemplates = templates.Take(settings.TemplatesShown).ToList(),
            Origins = origins,
            NextSteps = NextSteps(evidence, settings, origins),
            Samples = Samples(evidence),
            Sources = alertSources,
            Summary = "",
        };
        return facts with { Summary = Summary(facts) };
    }

    /// <summary>Each goal's completion rate since the onset against the 10th-90th percentile of the steps before it.</summary>
    internal static IReadOnlyList<GoalImpact> GoalImpacts(IncidentEvidence evidence)
    {
        var impacts = new List<GoalImpact>();
        foreach (var (goal, series) in evidence.GoalSeries.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var before = series.Where(f => f.Time < evidence.Onset).ToList();
            var after = series.Where(f => f.Time >= evidence.Onset).ToList();
            var rates = before.Select(f => f.CompletionRate).OfType<double>().Order().ToList();
            long completed = after.Sum(f => f.Completed), failed = after.Sum(f => f.Failed), abandoned = after.Sum(f => f.Abandoned);
            var ended = completed + failed + abandoned;
            var hoursAfter = Math.Max(1.0 / 60, (evidence.Until - evidence.Onset).TotalHours);
            var hoursBefore = (evidence.Onset - evidence.BaselineFrom).TotalHours;
            impacts.Add(new GoalImpact(
                goal,
                ended == 0 ? null : Math.Round((double)completed / ended, 4),
                rates.Count == 0 ? null : Math.Round(Percentile(rates, 0.1), 4),
                rates.Count == 0 ? null : Math.Round(Percentile(rates, 0.9), 4),
                failed + abandoned,
                ended,
                Math.Round(after.Sum(f => f.Cost) / hoursAfter, 4),
                before.Count == 0 || hoursBefore <= 0 ? null : Math.Round(before.Sum(f => f.Cost) / hoursBefore, 4),
                [$"series:goal/{goal}/completion_rate", $"series:goal/{goal}/cost"]));
        }

        return impacts;
    }

    /// <summary>Error messages of the window mined into templates; new ones were first seen from the onset on and never before.</summary>
    internal static IReadOnlyList<ErrorTemplate> Templates(IncidentEvidence evidence, BriefSettings settings)
    {
        var miner = new TemplateMiner(settings.MaxTemplates);
        foreach (var group in evidence.Errors.OrderBy(g => g.FirstSeen))
        {
            miner.Add(group.Service.ToLowerInvariant(), group.Kind, group.Text, group.Count, group.FirstSeen, group.LastSeen, group.SampleTraceId);
        }

        var newFrom = evidence.Onset - TimeSpan.FromMinutes(5);
        return miner.Templates()
            .Select((t, i) => new ErrorTemplate(
                "T" + (i + 1).ToString(CultureInfo.InvariantCulture), t.Service, t.Kind, t.Template, t.Count, t.FirstSeen, t.LastSeen, t.FirstSeen >= newFrom,
                t.SampleTraceIds.Select(id => "trace:" + id).Prepend("template:T" + (i + 1).ToString(CultureInfo.InvariantCulture)).ToList()))
            .ToList();
    }

    /// <summary>Opened, severity, triage and shape changes, and the minutes where the most alerts joined.</summary>
    internal static IReadOnlyList<TimelineHighlight> Highlights(IReadOnlyList<IncidentEvent> timeline)
    {
        var picked = new List<TimelineHighlight>();
        foreach (var e in timeline)
        {
            var kind = e.Kind switch
            {
                IncidentEventKind.Opened => "opened",
                IncidentEventKind.SeverityChanged => "severity",
                IncidentEventKind.Acknowledged => "acknowledged",
                IncidentEventKind.Assigned => "assigned",
                IncidentEventKind.MergedFrom => "merged-in",
                IncidentEventKind.MergedInto => "merged-away",
                IncidentEventKind.SplitFrom or IncidentEventKind.AlertSplitOff => "split",
                IncidentEventKind.Resolved => "resolved",
                IncidentEventKind.Reopened => "reopened",
                _ => null,
            };
            if (kind is not null)
            {
                var who = e.Actor == IncidentBoard.System ? "" : $" by {e.Actor}";
                var other = e.OtherIncident.Length > 0 ? $" ({e.OtherIncident})" : "";
                var text = e.Text.StartsWith(kind, StringComparison.Ordinal) ? e.Text : $"{kind}{who}{other}" + (e.Text.Length > 0 ? $": {e.Text}" : "");
                picked.Add(new TimelineHighlight(e.At, kind, text, [$"timeline:v{e.Version}"]));
            }
        }

        var joins = timeline.Where(e => e.Kind == IncidentEventKind.AlertJoined)
            .GroupBy(e => new DateTimeOffset(e.At.Ticks - (e.At.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero))
            .Where(g => g.Count() > 1)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
            .Take(LargestJoinsShown);
        foreach (var burst in joins)
        {
            picked.Add(new TimelineHighlight(
                burst.Min(e => e.At), "alerts-joined", $"{burst.Count()} alerts joined in the minute from {OriginRanker.Time(burst.Key)}",
                burst.Select(e => $"timeline:v{e.Version}").ToList()));
        }

        return picked.OrderBy(h => h.At).Take(HighlightsShown).ToList();
    }

    private static List<NextStep> NextSteps(IncidentEvidence evidence, BriefSettings settings, IReadOnlyList<OriginCandidate> origins)
    {
        var steps = new List<NextStep>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (membership, alert) in evidence.Detail.Alerts)
        {
            if (alert?.Labels.GetValueOrDefault("runbook_url") is { Length: > 0 } url && IsLink(url) && seen.Add(url))
            {
                steps.Add(new NextStep("runbook", "runbook of an alert", url, ["alert:" + membership.AlertId]));
            }
        }

        var incident = evidence.Detail.Incident;
        foreach (var name in origins.Select(o => o.Name).Concat(incident.Services).Concat(incident.Goals).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if ((settings.ServiceRunbooks.GetValueOrDefault(name) ?? settings.GoalRunbooks.GetValueOrDefault(name)) is { } url && seen.Add(url))
            {
                steps.Add(new NextStep("runbook", $"runbook for {name}", url, [$"config:runbook/{name}"]));
            }
        }

        if (origins.Count > 0)
        {
            var top = origins[0];
            steps.Add(new NextStep("look", $"start with {top.Kind} {top.Name} (likely origin #1)", "", top.Evidence.SelectMany(e => e.Sources).Distinct(StringComparer.Ordinal).Take(5).ToList()));
        }

        foreach (var sample in Samples(evidence).Take(3))
        {
            steps.Add(new NextStep(sample.Kind, $"open {sample.Kind} {sample.Id} ({sample.Service})", sample.Link, [$"{sample.Kind}:{sample.Id}"]));
        }

        return steps;
    }

    private static List<BriefSample> Samples(IncidentEvidence evidence) =>
        evidence.Detail.SampleTraces
            .Select(t => t.StatusMessage == "goal run failed"
                ? new BriefSample("run", t.TraceId, t.Service, t.SpanName, t.At, $"/api/runs/{t.TraceId}")
                : new BriefSample("trace", t.TraceId, t.Service, "", t.At, $"/api/traces/{t.TraceId}"))
            .DistinctBy(s => s.Id)
            .Take(SamplesShown)
            .ToList();

    private static string Title(Incident incident, IReadOnlyList<GoalImpact> goals, IReadOnlyList<OriginCandidate> origins)
    {
        var worst = goals.Where(g => g.CompletionRateNow is not null).OrderBy(g => g.CompletionRateNow! - (g.NormalLow ?? 1)).FirstOrDefault();
        // A completion rate well under its band says most to the person paged; else cost burning; else where it hurts.
        var what = worst is { CompletionRateNow: { } rate } && (worst.NormalLow is null ? rate < 0.9 : rate < worst.NormalLow - 0.1)
            ? $"Goal {worst.Goal} completing {Percent(rate)} of runs" + (worst.NormalLow is { } low ? $" (normally {Percent(low)}–{Percent(worst.NormalHigh ?? low)})" : "")
            : goals.FirstOrDefault(g => g.CostPerHourNormal is > 0 && g.CostPerHourNow >= 3 * g.CostPerHourNormal) is { } burn
                ? string.Create(CultureInfo.InvariantCulture, $"Goal {burn.Goal} burning ${burn.CostPerHourNow:0.##}/h (normally ${burn.CostPerHourNormal:0.##}/h)")
                : incident.Services.Count > 0 ? $"Trouble in {string.Join(", ", incident.Services.Take(3))}" + (incident.Services.Count > 3 ? $" and {incident.Services.Count - 3} more" : "")
                : incident.Goals.Count > 0 ? $"Trouble in goal {incident.Goals[0]}"
                : incident.Title;
        return origins.Count > 0 ? $"{what}; likely origin {origins[0].Kind} {origins[0].Name}" : what;
    }

    private static string Summary(BriefFacts f)
    {
        var parts = new List<string>
        {
            $"{f.Title}. {Cap(f.Severity)} incident {f.IncidentId}, {f.Status.ToString().ToLowerInvariant()}, first seen {f.FirstSeen.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC"
                + $" ({Minutes(f.Duration)}), {f.Alerts} alert(s), {f.FiringAlerts} firing.",
        };
        foreach (var g in f.Goals.Take(3))
        {
            parts.Add($"Goal {g.Goal}: {g.FailedRuns} of {g.EndedRuns} runs failed since the start"
                + (g.CompletionRateNow is { } r ? $", completion {Percent(r)}" + (g.NormalLow is { } lo ? $" against a normal {Percent(lo)}–{Percent(g.NormalHigh ?? lo)}" : "") : "") + ".");
        }

        if (f.Services.Count > 0)
        {
            parts.Add($"Services: {string.Join(", ", f.Services)}.");
        }

        if (f.ErrorTemplates.Count > 0 && f.ErrorTemplates[0] is { } t)
        {
            parts.Add($"Top error ({t.Service}, {t.Count}×): {Clip(t.Template, 120)}");
        }

        if (f.Origins.Count > 0)
        {
            parts.Add($"Likely origin: {f.Origins[0].Kind} {f.Origins[0].Name} ({string.Join(", ", f.Origins[0].Evidence.Select(e => e.Kind).Distinct(StringComparer.Ordinal))}).");
        }

        return string.Join(' ', parts);
    }

    private static bool IsLink(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static string Percent(double rate) => (rate * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Minutes(TimeSpan d) => d.TotalMinutes < 90
        ? ((int)Math.Round(d.TotalMinutes)).ToString(CultureInfo.InvariantCulture) + " min"
        : d.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " h";

    private static string Cap(AlertSeverity s) => s switch { AlertSeverity.Critical => "Critical", AlertSeverity.Info => "Info", _ => "Warning" };

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Clamp(Math.Round(p * (sorted.Count - 1)), 0, sorted.Count - 1)];
}
