namespace TaskLens.Core.Findings;

/// <summary>
/// The fingerprint of a finding, stable per series and detector: <c>tasklens|tenant|scope|subject|metric|detector</c>
/// (a subject may itself hold <c>|</c>). Formatted and parsed here only; the alert intake dedups our findings by it.
/// </summary>
public sealed record FindingFingerprint(string Tenant, string Scope, string Subject, string Metric, string Detector)
{
    /// <summary>The alert source our findings reach the intake as, and the fingerprint's first part.</summary>
    public const string Source = "tasklens";

    public override string ToString() => $"{Source}|{Tenant}|{Scope}|{Subject}|{Metric}|{Detector}";

    public static string Format(string tenant, string scope, string subject, string metric, string detector) =>
        new FindingFingerprint(tenant, scope, subject, metric, detector).ToString();

    /// <summary>Reads a fingerprint made by <see cref="Format"/>; false for any other (another source's).</summary>
    public static bool TryParse(string fingerprint, out FindingFingerprint parsed)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var parts = fingerprint.Split('|');
        if (parts.Length < 6 || parts[0] != Source)
        {
            parsed = null!;
            return false;
        }

        parsed = new FindingFingerprint(parts[1], parts[2], string.Join('|', parts[3..^2]), parts[^2], parts[^1]);
        return true;
    }
}
