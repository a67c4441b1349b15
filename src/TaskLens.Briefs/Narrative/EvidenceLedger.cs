using System.Globalization;
using TaskLens.Core.Briefs;

namespace TaskLens.Briefs.Narrative;

/// <summary>
/// The ids, figures and times a narrative may state: those of the facts' structured fields and of what the evidence
/// functions returned in their structured fields. Untrusted text (error templates, alert titles and annotations, log
/// bodies, people's notes, span names) is never read into it, so text planted in a log line cannot make an invented id
/// or figure acceptable.
/// </summary>
internal sealed class EvidenceLedger
{
    private readonly HashSet<string> _ids = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<double> _numbers = [];
    private readonly HashSet<string> _times = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dates = new(StringComparer.Ordinal);

    public static EvidenceLedger FromFacts(BriefFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var ledger = new EvidenceLedger();
        ledger.Id(facts.IncidentId);
        ledger.Time(facts.FirstSeen);
        ledger.Time(facts.LastSeen);
        ledger.Duration(facts.Duration);
        ledger.Numbers(facts.Alerts, facts.FiringAlerts, facts.Services.Count, facts.Goals.Count, facts.ErrorTemplates.Count, facts.Origins.Count, facts.IncidentVersion);
        ledger.Sources(facts.Sources);
        foreach (var g in facts.Goals)
        {
            ledger.Rate(g.CompletionRateNow);
            ledger.Rate(g.NormalLow);
            ledger.Rate(g.NormalHigh);
            ledger.Numbers(g.FailedRuns, g.EndedRuns, g.EndedRuns - g.FailedRuns, g.CostPerHourNow, g.CostPerHourNormal ?? 0);
            if (g.CostPerHourNormal is > 0 and var normal)
            {
                ledger.Number(g.CostPerHourNow / normal);
            }
        }

        foreach (var h in facts.Timeline)
        {
            ledger.Time(h.At);
            ledger.Sources(h.Sources);
        }

        foreach (var t in facts.ErrorTemplates)
        {
            ledger.Id(t.Id);
            ledger.Number(t.Count);
            ledger.Time(t.FirstSeen);
            ledger.Time(t.LastSeen);
            ledger.Sources(t.Sources);
        }

        foreach (var o in facts.Origins)
        {
            ledger.Numbers(o.Rank, o.Score);
            foreach (var e in o.Evidence)
            {
                ledger.Sources(e.Sources);
                if (e.At is { } at)
                {
                    ledger.Time(at);
                }

                // Our own sentences: built from figures above and from names; their numbers are ours.
                ledger.NumbersIn(e.Text);
            }
        }

        foreach (var s in facts.Samples)
        {
            ledger.Id(s.Id);
            ledger.Time(s.At);
        }

        foreach (var step in facts.NextSteps)
        {
            ledger.Sources(step.Sources);
        }

        return ledger;
    }

    public void Id(string id)
    {
        if (!string.IsNullOrWhiteSpace(id))
        {
            _ids.Add(id.Trim());
        }
    }

    /// <summary>Source ids such as <c>alert:tasklens:abc</c>: the whole id and the id after its kind.</summary>
    public void Sources(IEnumerable<string> sources)
    {
        foreach (var source in sources)
        {
            Id(source);
            var colon = source.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                var rest = source[(colon + 1)..];
                Id(rest);
                if (rest.IndexOf('@', StringComparison.Ordinal) is > 0 and var at)
                {
                    Id(rest[(at + 1)..]);
                }
            }
        }
    }

    public void Number(double value)
    {
        if (double.IsFinite(value))
        {
            _numbers.Add(value);
        }
    }

    public void Numbers(params double[] values)
    {
        foreach (var value in values)
        {
            Number(value);
        }
    }

    /// <summary>A rate in [0, 1]: stated as a fraction or as a percentage.</summary>
    public void Rate(double? rate)
    {
        if (rate is { } r)
        {
            Numbers(r, r * 100, 100 - (r * 100));
        }
    }

    public void Duration(TimeSpan d) => Numbers(d.TotalSeconds, d.TotalMinutes, d.TotalHours, d.TotalMilliseconds);

    public void Time(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        _times.Add(utc.ToString("HH:mm", CultureInfo.InvariantCulture));
        _dates.Add(utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    public void NumbersIn(string ourText)
    {
        foreach (var claim in NarrativeValidator.Claims(ourText))
        {
            if (claim.Kind == ClaimKind.Number)
            {
                Number(claim.Value);
            }
            else if (claim.Kind == ClaimKind.Time)
            {
                _times.Add(claim.Text[..5].PadLeft(5, '0'));
            }
        }
    }

    public bool KnowsId(string id) => _ids.Contains(id);

    public bool KnowsTime(string hhmm) => _times.Contains(hhmm);

    public bool KnowsDate(string date) => _dates.Contains(date);

    /// <summary>Whether a stated figure is one of ours, as rounded to the decimals it was written with.</summary>
    public bool KnowsNumber(double value, int decimals)
    {
        var tolerance = (0.5 * Math.Pow(10, -decimals)) + 1e-9;
        foreach (var known in _numbers)
        {
            if (Math.Abs(known - value) <= tolerance || Math.Abs(Math.Abs(known) - value) <= tolerance)
            {
                return true;
            }
        }

        return false;
    }
}
