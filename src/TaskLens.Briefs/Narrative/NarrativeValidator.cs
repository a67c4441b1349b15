using System.Globalization;
using System.Text.RegularExpressions;

namespace TaskLens.Briefs.Narrative;

/// <summary>
/// Checks a narrative against the ledger: every id (incident, alert, trace or run, template, version), time, date and
/// figure it states must be known; its length is bounded. The first thing it cannot ground is the reason it is rejected.
/// Small counting words in digits are figures too: "3 services" must be a count the facts hold.
/// </summary>
internal static partial class NarrativeValidator
{
    public static (bool Accepted, string Reason) Validate(string narrative, EvidenceLedger ledger, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        if (string.IsNullOrWhiteSpace(narrative))
        {
            return (false, "the model wrote nothing");
        }

        if (narrative.Length > maxChars)
        {
            return (false, $"{narrative.Length} characters, more than the {maxChars} allowed");
        }

        foreach (var claim in Claims(narrative))
        {
            var known = claim.Kind switch
            {
                ClaimKind.Id => ledger.KnowsId(claim.Text),
                ClaimKind.Time => ledger.KnowsTime(claim.Text[..5].PadLeft(5, '0')),
                ClaimKind.Date => ledger.KnowsDate(claim.Text),
                _ => ledger.KnowsNumber(claim.Value, claim.Decimals),
            };
            if (!known)
            {
                var what = claim.Kind switch { ClaimKind.Id => "id", ClaimKind.Time => "time", ClaimKind.Date => "date", _ => "figure" };
                return (false, $"states {what} '{claim.Text}', which is in neither the facts nor the evidence the model fetched");
            }
        }

        return (true, "");
    }

    /// <summary>The ids, times, dates and figures a text states, in order.</summary>
    public static IEnumerable<Claim> Claims(string text)
    {
        foreach (Match m in ClaimPattern().Matches(text))
        {
            if (m.Groups["id"].Success)
            {
                yield return new Claim(ClaimKind.Id, m.Groups["id"].Value.TrimEnd('.', ','), 0, 0);
            }
            else if (m.Groups["date"].Success)
            {
                yield return new Claim(ClaimKind.Date, m.Value, 0, 0);
            }
            else if (m.Groups["time"].Success)
            {
                yield return new Claim(ClaimKind.Time, m.Value.Length == 4 ? "0" + m.Value : m.Value, 0, 0);
            }
            else if (m.Groups["number"].Success)
            {
                var digits = m.Groups["number"].Value.Replace(",", "", StringComparison.Ordinal);
                if (double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    var dot = digits.IndexOf('.', StringComparison.Ordinal);
                    yield return new Claim(ClaimKind.Number, m.Value, value, dot < 0 ? 0 : digits.Length - dot - 1);
                }
            }
        }
    }

    // In order of precedence: ids (alert ids source:fingerprint, incident ids, template ids, 16- or 32-digit hex ids,
    // dotted versions), dates, times, then plain figures (with thousands separators, decimals, $ and %).
    [GeneratedRegex(
        @"(?<id>\b(?:tasklens|alertmanager|grafana|events|[a-z][a-z0-9_-]*):[A-Za-z0-9][A-Za-z0-9_.:\-]{5,}|\binc-\d+\b|\bT\d+\b|\b[0-9a-f]{16}(?:[0-9a-f]{16})?\b|\bv?\d+\.\d+\.\d+(?:[.\-+][0-9A-Za-z.\-]+)?\b)"
        + @"|(?<date>\b\d{4}-\d{2}-\d{2}\b)"
        + @"|(?<time>\b\d{1,2}:\d{2}(?::\d{2})?\b)"
        + @"|(?<number>(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?)",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex ClaimPattern();
}
