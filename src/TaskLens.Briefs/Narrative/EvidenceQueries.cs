using System.Globalization;
using System.Text.RegularExpressions;
using MediatR;
using TaskLens.Core.Alerts;
using TaskLens.Core.Briefs;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;
using TaskLens.Core.Logs;
using TaskLens.Core.Traces;

namespace TaskLens.Briefs.Narrative;

/// <summary>
/// The read-only evidence functions, shared by the model's kernel functions and the MCP tools: an incident with its
/// brief, incidents, a goal's figures per step, a trace's summary and the log lines of an error template. Every answer
/// is bounded; fields named <c>untrusted*</c> hold text from the monitored systems. When a ledger is given, the
/// structured ids, figures and times of the answer are added to it (never the untrusted text).
/// </summary>
internal sealed class EvidenceQueries(IMediator mediator, IGoalReader goals, ITraceReader traces, ILogReader logs, TimeProvider time)
{
    public const int MaxSteps = 48;
    public const int MaxLines = 20;
    public const int MaxSpans = 20;

    /// <summary>Spans of one trace a summary reads at most (an agent's run can hold tens of thousands).</summary>
    public const int MaxTraceSpans = 10_000;
    private const int MaxText = 300;

    public async Task<object> IncidentsAsync(string tenant, string? status, int limit, CancellationToken cancellationToken)
    {
        IncidentStatus? wanted = Enum.TryParse<IncidentStatus>(status, ignoreCase: true, out var s) && Enum.IsDefined(s) ? s : null;
        var to = time.GetUtcNow();
        var list = await mediator.Send(new ListIncidents(new IncidentQuery(tenant, to.AddDays(-7), to, wanted, null, null, null, Math.Clamp(limit, 1, 100))), cancellationToken);
        return new
        {
            incidents = list.Select(i => new
            {
                id = i.Id, title = i.Title, status = Lower(i.Status), severity = Lower(i.Severity), goals = i.Goals, services = i.Services,
                alerts = i.Alerts, firingAlerts = i.FiringAlerts, openedAt = i.OpenedAt, resolvedAt = i.ResolvedAt, version = i.Version,
            }),
        };
    }

    public async Task<object?> IncidentAsync(string tenant, string id, EvidenceLedger? ledger, CancellationToken cancellationToken)
    {
        if (await mediator.Send(new GetIncident(tenant, id), cancellationToken) is not { } detail)
        {
            return null;
        }

        var brief = await mediator.Send(new GetIncidentBrief(tenant, id), cancellationToken);
        foreach (var (m, a) in detail.Alerts)
        {
            ledger?.Id(m.AlertId);
            ledger?.Time(a?.FirstSeen ?? m.JoinedAt);
        }

        return new
        {
            incident = new
            {
                id = detail.Incident.Id, status = Lower(detail.Incident.Status), severity = Lower(detail.Incident.Severity),
                goals = detail.Incident.Goals, services = detail.Incident.Services, openedAt = detail.Incident.OpenedAt, version = detail.Incident.Version,
            },
            alerts = detail.Alerts.Take(50).Select(a => new
            {
                id = a.Membership.AlertId, severity = a.Alert is null ? null : Lower(a.Alert.Severity), status = a.Alert is null ? null : Lower(a.Alert.Status),
                firstSeen = a.Alert?.FirstSeen, lastSeen = a.Alert?.LastSeen, joinReason = a.Membership.Reason,
                untrustedTitle = Clip(a.Alert?.Title), untrustedMessage = Clip(a.Alert?.Message),
            }),
            brief = brief is null ? null : new { version = brief.Version, facts = brief.Facts, narrative = brief.Narrative },
        };
    }

    public async Task<object> GoalSeriesAsync(string tenant, string goal, int minutes, EvidenceLedger? ledger, CancellationToken cancellationToken)
    {
        var to = time.GetUtcNow();
        var span = TimeSpan.FromMinutes(Math.Clamp(minutes, 5, 24 * 60));
        var step = TimeSpan.FromMinutes(Math.Max(1, Math.Ceiling(span.TotalMinutes / MaxSteps)));
        var series = await goals.SeriesAsync(tenant, goal, to - span, to, step, cancellationToken);
        foreach (var f in series)
        {
            ledger?.Time(f.Time);
            ledger?.Numbers(f.Started, f.Completed, f.Failed, f.Abandoned, f.DurationP95Ms, f.Cost, f.InputTokens + f.OutputTokens, f.FanOutP99);
            ledger?.Rate(f.CompletionRate);
        }

        return new
        {
            goal,
            stepMinutes = step.TotalMinutes,
            steps = series.TakeLast(MaxSteps).Select(f => new
            {
                time = f.Time, started = f.Started, completed = f.Completed, failed = f.Failed, abandoned = f.Abandoned,
                completionRate = f.CompletionRate is { } r ? Math.Round(r, 4) : (double?)null, durationP95Ms = Math.Round(f.DurationP95Ms),
                cost = Math.Round(f.Cost, 6), tokens = f.InputTokens + f.OutputTokens, fanOutP99 = f.FanOutP99, throttled = f.Throttled,
            }),
        };
    }

    public async Task<object?> TraceSummaryAsync(string tenant, string traceId, EvidenceLedger? ledger, CancellationToken cancellationToken)
    {
        if (!TraceId.TryParse(traceId, out var id))
        {
            return new { error = "a trace id is 32 hex digits" };
        }

        var spans = await traces.GetTraceAsync(tenant, id, 0, MaxTraceSpans + 1, cancellationToken);
        var truncated = spans.Count > MaxTraceSpans;
        spans = truncated ? spans.Take(MaxTraceSpans).ToList() : spans;
        if (spans.Count == 0)
        {
            return null;
        }

        var start = spans.Min(s => s.StartTimeUnixNano);
        var end = spans.Max(s => s.EndTimeUnixNano);
        var errors = spans.Where(s => s.StatusCode == 2).ToList();
        var durationMs = Math.Round((end - start) / 1e6, 1);
        ledger?.Id(traceId);
        ledger?.Numbers(spans.Count, errors.Count, durationMs, spans.Select(s => s.ServiceName).Distinct(StringComparer.Ordinal).Count());
        ledger?.Time(DateTimeOffset.FromUnixTimeMilliseconds((long)(start / 1_000_000)));
        return new
        {
            traceId,
            spans = spans.Count,
            truncated,
            errorSpans = errors.Count,
            durationMs,
            start = DateTimeOffset.FromUnixTimeMilliseconds((long)(start / 1_000_000)),
            services = spans.GroupBy(s => s.ServiceName, StringComparer.Ordinal).Select(g => new { service = g.Key, spans = g.Count(), errors = g.Count(s => s.StatusCode == 2) }),
            untrustedErrors = errors.Take(MaxSpans).Select(s => new { service = s.ServiceName, untrustedSpan = Clip(s.Name), untrustedStatus = Clip(s.StatusMessage) }),
        };
    }

    /// <summary>Error log lines of a service in the last <paramref name="minutes"/> that fit an error template (its <c>&lt;*&gt;</c> match anything).</summary>
    public async Task<object> LogsOfTemplateAsync(string tenant, string service, string template, int minutes, EvidenceLedger? ledger, CancellationToken cancellationToken)
    {
        var to = time.GetUtcNow();
        var literal = template.Split("<*>", StringSplitOptions.TrimEntries).MaxBy(p => p.Length) ?? "";
        var found = await logs.QueryAsync(
            new LogQuery(tenant, to - TimeSpan.FromMinutes(Math.Clamp(minutes, 1, 24 * 60)), to)
            {
                Service = service, Text = literal.Length == 0 ? null : literal[..Math.Min(literal.Length, 200)], Limit = 500,
            },
            cancellationToken);
        var pattern = TemplatePattern(template);
        var lines = found.Where(l => pattern.IsMatch(l.Body)).Take(MaxLines).ToList();
        foreach (var line in lines)
        {
            ledger?.Time(DateTimeOffset.FromUnixTimeMilliseconds((long)(line.TimeUnixNano / 1_000_000)));
            if (line.TraceId.Length > 0)
            {
                ledger?.Id(line.TraceId);
            }
        }

        ledger?.Number(lines.Count);
        return new
        {
            service,
            matched = lines.Count,
            lines = lines.Select(l => new
            {
                time = DateTimeOffset.FromUnixTimeMilliseconds((long)(l.TimeUnixNano / 1_000_000)),
                severity = l.SeverityText,
                traceId = l.TraceId.Length == 0 ? null : l.TraceId,
                untrustedBody = Clip(l.Body),
            }),
        };
    }

    internal static Regex TemplatePattern(string template)
    {
        var parts = template.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => string.Join(@"\S*", t.Split("<*>").Select(Regex.Escape)));
        return new Regex("^\\s*" + string.Join(@"\s+", parts), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
    }

    private static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string? Clip(string? text) => text is null ? null : text.Length <= MaxText ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..MaxText]}…");
}
