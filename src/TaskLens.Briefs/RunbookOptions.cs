namespace TaskLens.Briefs;

/// <summary>Runbook links configured per goal and per service (names compared ignoring case).</summary>
public sealed class RunbookOptions
{
    public Dictionary<string, string> Goals { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, string> Services { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
